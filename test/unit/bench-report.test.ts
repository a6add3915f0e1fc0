// The bench's result rows (the JSON other tools read) and its refresh-token pool.
import { describe, expect, it } from 'vitest';
import { formatTable, row } from '../../bench/report.ts';
import { sampleIndexes } from '../../bench/seed.ts';
import { TokenPool } from '../../bench/tokens.ts';

const FIELDS = [
  'scenario',
  'rps',
  'p50_ms',
  'p99_ms',
  'errors',
  'peak_rss_mb',
  'baseline_rps',
  'ratio',
  'target',
  'meets_target',
];

describe('bench report', () => {
  it('has exactly the documented fields, the ratio computed from the same run', () => {
    const r = row({
      scenario: 'api',
      rps: 900.04,
      p50_ms: 10.01,
      p99_ms: 40,
      errors: 0,
      peak_rss_mb: 150.4,
      baseline_rps: 1000,
      target: '>= 0.8',
      meets_target: true,
    });
    expect(Object.keys(r)).toEqual(FIELDS);
    expect(r).toMatchObject({ rps: 900, ratio: 0.9, peak_rss_mb: 150 });
  });

  it('has no ratio without a baseline, and prints a dash for it', () => {
    const r = row({
      scenario: 'dashboard',
      rps: 10,
      p50_ms: 1,
      p99_ms: 2,
      errors: 0,
      peak_rss_mb: 1,
      baseline_rps: null,
      target: 'no errors',
      meets_target: true,
    });
    expect(r.ratio).toBeNull();
    expect(formatTable([r]).split('\n')[2]).toMatch(/\| — +\| — +\|/);
  });
});

describe('bench helpers', () => {
  it('spreads sample jobseekers over the whole population', () => {
    expect(sampleIndexes(1_000_000, 4)).toEqual([0, 250_000, 500_000, 750_000]);
    expect(sampleIndexes(3, 10)).toEqual([0, 1, 2]);
  });

  it('hands each refresh token out once, first in first out', () => {
    const pool = new TokenPool(['a', 'b']);
    expect(pool.take()).toBe('a');
    pool.give('c');
    expect([pool.take(), pool.take(), pool.take()]).toEqual(['b', 'c', undefined]);
  });
});
