// The legacy APIs' per-app limit, counted by rate-limiter-flexible: `burst` requests per window of
// burst / perSecond seconds, then 429 with Retry-After in whole seconds until the window ends.
import { describe, expect, it } from 'vitest';
import { createRateLimiter, parseRateLimit, parseRateLimits } from '../../src/legacy-api/rate-limit.ts';

const oks = async (take: () => Promise<{ ok: boolean }>, n: number) => {
  const out = [];
  for (let i = 0; i < n; i++) out.push((await take()).ok);
  return out;
};

describe('createRateLimiter', () => {
  it('allows the burst, refuses with Retry-After, counts again once the window is over, per app', async () => {
    // 10 per second, 3 at once: a window of 0.3 s.
    const limiter = createRateLimiter({
      defaultLimit: { perSecond: 10, burst: 3 },
      perClient: new Map([['big', { perSecond: 100, burst: 100 }]]),
    });
    expect(await oks(() => limiter.take('a'), 3)).toEqual([true, true, true]);
    expect(await limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    // Another app has its own count; an app with its own limit has its own size.
    expect((await limiter.take('b')).ok).toBe(true);
    expect((await oks(() => limiter.take('big'), 100)).every(Boolean)).toBe(true);
    expect((await limiter.take('big')).ok).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 350));
    // Never more than the burst in a window.
    expect(await oks(() => limiter.take('a'), 4)).toEqual([true, true, true, false]);
  });

  it('says how long to wait at a slow rate, in whole seconds', async () => {
    // 0.1 per second, 1 at once: a window of 10 s.
    const limiter = createRateLimiter({ defaultLimit: { perSecond: 0.1, burst: 1 }, perClient: new Map() });
    expect((await limiter.take('a')).ok).toBe(true);
    expect(await limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 10 });
    // 0.5 per second, 3 at once: 6 s.
    const other = createRateLimiter({ defaultLimit: { perSecond: 0.5, burst: 3 }, perClient: new Map() });
    await oks(() => other.take('a'), 3);
    const refused = await other.take('a');
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 6 });
  });
});

describe('rate limit settings', () => {
  it('parses <per second>/<burst> and per-app lists, refusing anything else', () => {
    expect(parseRateLimit('20/40')).toEqual({ perSecond: 20, burst: 40 });
    expect(parseRateLimit('0.5/1')).toEqual({ perSecond: 0.5, burst: 1 });
    // A window (burst / per second) of up to a day, not longer: 86,000 s, then 100,000 s.
    expect(parseRateLimit('0.001/86')).toEqual({ perSecond: 0.001, burst: 86 });
    for (const bad of ['', '20', '0/1', '1/0', '-1/2', 'a/b', '0.001/100', '0.000001/40'])
      expect(parseRateLimit(bad), bad).toBeUndefined();
    expect(parseRateLimits('PAR_a_1f=5/10, app-b=100/200')).toEqual(
      new Map([
        ['PAR_a_1f', { perSecond: 5, burst: 10 }],
        ['app-b', { perSecond: 100, burst: 200 }],
      ]),
    );
    expect(parseRateLimits('')).toEqual(new Map());
    expect(parseRateLimits('a=5')).toBeUndefined();
  });
});
