// When « Ce que vous partagez encore » is due: every 90 days from the last review (or the oldest live
// consent), and once a consent is within 30 days of its expiry and was not reviewed since.
import { describe, expect, it } from 'vitest';
import { stillSharingDue } from '../../src/dashboard/still-sharing.ts';

const DAY = 86_400_000;
const now = Date.UTC(2026, 5, 1);
const consent = (id: string, grantedDaysAgo: number, expiresInDays: number) => ({
  id,
  granted_at: new Date(now - grantedDaysAgo * DAY),
  expires_at: new Date(now + expiresInDays * DAY),
});

describe('stillSharingDue', () => {
  it('is never due without a live consent', () => {
    expect(stillSharingDue([], undefined, now)).toEqual({ due: false, expiring: [] });
  });
  it('is due 90 days after the oldest live consent when never reviewed, not before', () => {
    expect(stillSharingDue([consent('a', 89, 200)], undefined, now).due).toBe(false);
    expect(stillSharingDue([consent('a', 90, 200), consent('b', 1, 300)], undefined, now).due).toBe(true);
  });
  it('counts 90 days from the last review', () => {
    const old = [consent('a', 400, 200)];
    expect(stillSharingDue(old, new Date(now - 10 * DAY), now).due).toBe(false);
    expect(stillSharingDue(old, new Date(now - 91 * DAY), now).due).toBe(true);
  });
  it('is due within 30 days of an expiry unless reviewed since that window opened', () => {
    const soon = [consent('a', 10, 20), consent('b', 10, 200)];
    expect(stillSharingDue(soon, undefined, now)).toEqual({ due: true, expiring: ['a'] });
    expect(stillSharingDue(soon, new Date(now - 15 * DAY), now)).toEqual({ due: true, expiring: ['a'] });
    expect(stillSharingDue(soon, new Date(now - 5 * DAY), now)).toEqual({ due: false, expiring: [] });
  });
});
