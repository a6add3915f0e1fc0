// The legacy APIs' token bucket per app: a burst, then the sustained rate, and Retry-After in whole
// seconds until the next request would pass.
import { describe, expect, it } from 'vitest';
import { createRateLimiter, parseRateLimit, parseRateLimits } from '../../src/legacy-api/rate-limit.ts';

describe('createRateLimiter', () => {
  it('allows the burst, refuses with Retry-After, refills at the rate, per app', () => {
    let t = 0;
    const limiter = createRateLimiter({
      defaultLimit: { perSecond: 2, burst: 3 },
      perClient: new Map([['big', { perSecond: 100, burst: 100 }]]),
      now: () => t,
    });
    expect([1, 2, 3].map(() => limiter.take('a').ok)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    // Another app has its own bucket; an app with its own limit has its own size.
    expect(limiter.take('b').ok).toBe(true);
    expect(Array.from({ length: 100 }, () => limiter.take('big').ok).every(Boolean)).toBe(true);
    t = 500; // half a second: one more request at 2 per second
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    t = 10_000; // never more than the burst
    expect([1, 2, 3, 4].map(() => limiter.take('a').ok)).toEqual([true, true, true, false]);
  });

  it('says how long to wait at a slow rate', () => {
    const limiter = createRateLimiter({
      defaultLimit: { perSecond: 0.1, burst: 1 },
      perClient: new Map(),
      now: () => 0,
    });
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 10 });
  });
});

describe('rate limit settings', () => {
  it('parses <per second>/<burst> and per-app lists, refusing anything else', () => {
    expect(parseRateLimit('20/40')).toEqual({ perSecond: 20, burst: 40 });
    expect(parseRateLimit('0.5/1')).toEqual({ perSecond: 0.5, burst: 1 });
    for (const bad of ['', '20', '0/1', '1/0', '-1/2', 'a/b'])
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
