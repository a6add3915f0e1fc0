// Per-app rate limits of the legacy APIs, counted by rate-limiter-flexible's RateLimiterMemory (the
// house does not hand-roll what a well-kept library does). Each app may make `burst` requests in a
// window of burst / perSecond seconds — its sustained rate on average, its burst at once — counted
// from its first request of the window (the library's fixed window; at a window's edge an app can
// get up to two bursts in a row). A request beyond them is answered 429 with Retry-After, the whole
// seconds until the window ends (PECONNECT.md §5: AVRIL and pass emploi sleep that long, then retry).
//
// Several instances: each counts in its own memory, so an app spread over N instances by the load
// balancer gets up to N times its limit (and a restart forgets the counts). That is deliberate: the
// library's shared counter, RateLimiterPostgres, is one upsert of the app's row per request, and
// measured on this machine one app's upserts top out at 330–480 a second (one contended row, one
// commit each) and the bench's ratio for the legacy read fell from about 0.53 to 0.25–0.43 with it
// (docs/LEGACY-APIS.md, « Rate limits »). Set the limits per instance accordingly. Counters are keyed
// by client id and forgotten when their window ends.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimit {
  /** sustained requests per second */
  perSecond: number;
  /** requests allowed at once */
  burst: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  take(clientId: string): Promise<RateDecision>;
}

export function createRateLimiter(o: {
  defaultLimit: RateLimit;
  perClient: ReadonlyMap<string, RateLimit>;
}): RateLimiter {
  // One limiter per limit: `burst` points per window of burst / perSecond seconds (fractional seconds
  // are fine: the library counts in milliseconds). An app with its own limit has its own limiter.
  const limiterFor = (limit: RateLimit) =>
    new RateLimiterMemory({ points: limit.burst, duration: limit.burst / limit.perSecond });
  const defaultLimiter = limiterFor(o.defaultLimit);
  const own = new Map([...o.perClient].map(([clientId, limit]) => [clientId, limiterFor(limit)]));
  return {
    async take(clientId) {
      try {
        await (own.get(clientId) ?? defaultLimiter).consume(clientId);
        return { ok: true };
      } catch (refusal) {
        // The library rejects with its RateLimiterRes past the limit, with an Error for anything else.
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        // RFC 9110 §10.2.3: delay-seconds, a whole number; at least 1.
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
      }
    },
  };
}

const RATE = /^(\d+(?:\.\d+)?)\/(\d+)$/;

// The longest window (seconds): the library's memory counters expire by setTimeout, which cannot wait
// past 24.8 days; a day is already no rate limit anyone means.
const MAX_WINDOW_SECONDS = 86_400;

/** "20/40" → 20 per second, bursts of 40; a window (burst / per second) of at most a day. */
export function parseRateLimit(value: string): RateLimit | undefined {
  const match = RATE.exec(value.trim());
  if (!match) return undefined;
  const perSecond = Number(match[1]);
  const burst = Number(match[2]);
  return perSecond > 0 && burst >= 1 && burst / perSecond <= MAX_WINDOW_SECONDS
    ? { perSecond, burst }
    : undefined;
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
