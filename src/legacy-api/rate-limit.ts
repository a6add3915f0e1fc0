// Per-app rate limits of the legacy APIs: a token bucket per app, in this instance's memory. Each
// app has `burst` requests at once and gets `perSecond` more every second; a request beyond them is
// answered 429 with Retry-After, the seconds until the bucket holds one request again (PECONNECT.md
// §5: AVRIL and pass emploi sleep that long, then retry).
//
// Several instances: each keeps its own buckets, so an app spread over N instances by the load
// balancer gets up to N times its limit. That is the price of adding no write to the busiest path
// (a shared bucket in PostgreSQL would be one contended UPDATE per request); set the limits per
// instance accordingly (docs/LEGACY-APIS.md). Buckets are keyed by client id, so there are at most
// as many as registered apps that have called.

export interface RateLimit {
  /** sustained requests per second */
  perSecond: number;
  /** requests allowed at once */
  burst: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  take(clientId: string): RateDecision;
}

export function createRateLimiter(o: {
  defaultLimit: RateLimit;
  perClient: ReadonlyMap<string, RateLimit>;
  /** milliseconds; injected by the tests */
  now?: () => number;
}): RateLimiter {
  const now = o.now ?? (() => performance.now());
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(clientId) {
      const limit = o.perClient.get(clientId) ?? o.defaultLimit;
      const t = now();
      const bucket = buckets.get(clientId) ?? { tokens: limit.burst, at: t };
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((t - bucket.at) / 1000) * limit.perSecond);
      bucket.at = t;
      buckets.set(clientId, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      // RFC 9110 §10.2.3: delay-seconds, a whole number; at least 1.
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond)) };
    },
  };
}

const RATE = /^(\d+(?:\.\d+)?)\/(\d+)$/;

/** "20/40" → 20 per second, bursts of 40. */
export function parseRateLimit(value: string): RateLimit | undefined {
  const match = RATE.exec(value.trim());
  if (!match) return undefined;
  const perSecond = Number(match[1]);
  const burst = Number(match[2]);
  return perSecond > 0 && burst >= 1 ? { perSecond, burst } : undefined;
}

/** "PAR_a_1f=5/10, app-b=100/200" → per client id; undefined when any entry is malformed. */
export function parseRateLimits(value: string): Map<string, RateLimit> | undefined {
  const out = new Map<string, RateLimit>();
  for (const entry of value.split(/[,\s]+/).filter(Boolean)) {
    const at = entry.lastIndexOf('=');
    const limit = at > 0 ? parseRateLimit(entry.slice(at + 1)) : undefined;
    if (!limit) return undefined;
    out.set(entry.slice(0, at), limit);
  }
  return out;
}
