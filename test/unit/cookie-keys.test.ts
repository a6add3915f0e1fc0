// Cookie signatures: the very ones keygrip gives (cookies signed before the change stay valid, and
// the other way round), any of the keys accepted so that secrets can rotate, anything else refused.
import { describe, expect, it } from 'vitest';
import { CookieKeys } from '../../src/http/cookie-keys.ts';

const CURRENT = 'une-clé-de-test-0123456789abcdef';
const OLD = 'old-secret-abcdefghijklmnopqrstuvwxyz';

// Computed with keygrip 1.1 (`new Keygrip([CURRENT, OLD]).sign(data)`, and `[OLD]` for the last one).
const KEYGRIP = {
  'pec.sid=7b1f9a5e-2f7c-4c3e-9a43-1e0d8f6c2b11': '9mdOPfLsxBGcPMhL7aBnEGaqWJA',
  '_interaction=Xy7_k-2': 'AXgBBqN1CytDN_5q4hg6zzNG1P8',
  '_session.legacy=é✓': 'dbxaehQKYZmuPTJxc7zf87qe0QM',
};
const SIGNED_BY_OLD = { data: '_interaction=Xy7_k-2', digest: 'GB7-9c7FafGVbx4zsUXSNSAylrg' };

describe('cookie keys', () => {
  const keys = new CookieKeys([CURRENT, OLD]);

  it('signs with the first key exactly as keygrip does', () => {
    for (const [data, digest] of Object.entries(KEYGRIP)) {
      expect(keys.sign(data)).toBe(digest);
      expect(keys.index(data, digest)).toBe(0);
      expect(keys.verify(data, digest)).toBe(true);
    }
  });

  it('accepts a signature by an older key, and says which one', () => {
    expect(keys.index(SIGNED_BY_OLD.data, SIGNED_BY_OLD.digest)).toBe(1);
    expect(new CookieKeys([CURRENT]).index(SIGNED_BY_OLD.data, SIGNED_BY_OLD.digest)).toBe(-1);
  });

  it('refuses changed data, a changed, shortened or longer digest, and no digest', () => {
    const [data, digest] = Object.entries(KEYGRIP)[0] as [string, string];
    const flipped = `${digest.slice(0, -1)}${digest.endsWith('A') ? 'B' : 'A'}`;
    for (const [d, g] of [
      [`${data}x`, digest],
      [data, flipped],
      [data, digest.slice(0, -1)],
      [data, `${digest}A`],
      [data, ''],
      [data, undefined as unknown as string],
    ] as const) {
      expect(keys.index(d, g)).toBe(-1);
      expect(keys.verify(d, g)).toBe(false);
    }
  });

  it('needs at least one secret', () => {
    expect(() => new CookieKeys([])).toThrow();
  });
});
