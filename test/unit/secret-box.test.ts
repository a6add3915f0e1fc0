// The secret box seals with AES-256-GCM bound to a purpose; rememberOpened keeps what it opened, bounded.
import { describe, expect, it } from 'vitest';
import { createSecretBox, rememberOpened, type SecretBox } from '../../src/crypto/secret-box.ts';

const KEY = 'unit-test-key-0123456789abcdef0123456789';

describe('secret box', () => {
  it('opens what it sealed, for the same purpose only', () => {
    const box = createSecretBox(KEY);
    const sealed = box.seal('s3cret', 'client-secret');
    expect(sealed).not.toContain('s3cret');
    expect(box.open(sealed, 'client-secret')).toBe('s3cret');
    expect(() => box.open(sealed, 'signing-key')).toThrow();
  });

  it('rememberOpened opens each value once, keeps the purpose check, and forgets the oldest past its size', () => {
    const inner = createSecretBox(KEY);
    let opens = 0;
    const counting: SecretBox = {
      seal: inner.seal,
      open: (sealed, purpose) => {
        opens += 1;
        return inner.open(sealed, purpose);
      },
    };
    const box = rememberOpened(counting, 2);
    const [a, b, c] = ['a', 'b', 'c'].map((value) => box.seal(value, 'p')) as [string, string, string];
    expect([box.open(a, 'p'), box.open(a, 'p'), box.open(b, 'p')]).toEqual(['a', 'a', 'b']);
    expect(opens).toBe(2);
    expect(() => box.open(a, 'other purpose')).toThrow();
    box.open(c, 'p'); // a is the oldest of a, b: it goes
    const before = opens;
    expect(box.open(b, 'p')).toBe('b');
    expect(opens).toBe(before);
    expect(box.open(a, 'p')).toBe('a');
    expect(opens).toBe(before + 1);
  });
});
