// Refresh tokens rotate: each one can be used once, and reusing a spent one revokes its whole grant.
// So the load generator keeps a pool of live refresh tokens — one per independent chain — takes one
// for each request and puts back the one the answer carries. A failed request loses its chain (and
// shows as an error); a request still in flight when a run stops loses its chain too, so the pool is
// issued with room for that: `connections` per run at most.
import type { CannonRequest } from 'autocannon';
import { basicAuth, codeFlow, type RelyingParty, refresh } from './flow.ts';
import { ProxiedAgent } from './https-fetch.ts';

export class TokenPool {
  private readonly queue: string[];
  constructor(tokens: string[]) {
    this.queue = [...tokens];
  }
  get size() {
    return this.queue.length;
  }
  take(): string | undefined {
    return this.queue.shift();
  }
  give(token: string) {
    this.queue.push(token);
  }
}

async function inParallel<T>(count: number, limit: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await work(i);
      }
    }),
  );
  return results;
}

/**
 * `perUser` independent refresh-token chains for each user, through the real pages: one login per
 * user (one argon2id verification), then consent-only flows on the same browser session.
 */
export async function issueChains(
  rp: RelyingParty,
  users: { login: string; password: string }[],
  perUser: number,
): Promise<string[]> {
  const chains = await inParallel(users.length, 4, async (i) => {
    const agent = new ProxiedAgent();
    const tokens: string[] = [];
    for (let k = 0; k < perUser; k++) {
      const set = await codeFlow(rp, agent, users[i] as { login: string; password: string });
      tokens.push(set.refresh_token as string);
    }
    return tokens;
  });
  return chains.flat();
}

/** One access token per chain (the chain moves on), for the API (`resource`) or for userinfo. */
export async function mintAccessTokens(rp: RelyingParty, pool: TokenPool, count: number, resource?: string) {
  const taken = Array.from({ length: Math.min(count, pool.size) }, () => pool.take() as string);
  const sets = await inParallel(taken.length, 8, (i) => refresh(rp, taken[i] as string, resource));
  for (const set of sets) pool.give(set.refresh_token as string);
  return sets.map((set) => set.access_token);
}

/** An autocannon request that redeems one pooled refresh token per request. */
export function refreshRequest(rp: RelyingParty, pool: TokenPool, resource: string): CannonRequest {
  const prefix = `grant_type=refresh_token&resource=${encodeURIComponent(resource)}&refresh_token=`;
  return {
    method: 'POST',
    path: '/token',
    headers: { authorization: basicAuth(rp), 'content-type': 'application/x-www-form-urlencoded' },
    setupRequest(request) {
      // An empty pool sends a token that cannot exist: an error, never a silent pause.
      request.body = prefix + (pool.take() ?? 'pool-exhausted');
      return request;
    },
    onResponse(status, body) {
      if (status === 200) pool.give((JSON.parse(body) as { refresh_token: string }).refresh_token);
    },
  };
}

/** An autocannon request that presents the access tokens round robin. */
export function bearerRequest(path: string, tokens: string[]): CannonRequest {
  let next = 0;
  return {
    method: 'GET',
    path,
    setupRequest(request) {
      request.headers = { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` };
      return request;
    },
  };
}
