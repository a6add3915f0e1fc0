// Signs and checks cookies for Koa's and oidc-provider's `cookies` (the `name.sig` companion cookie),
// exactly as keygrip does — HMAC-SHA1 of "name=value" under the first key, base64url without padding,
// any key accepted on the way in so that secrets can rotate — so cookies issued before stay valid.
// Keygrip is what both libraries use for a plain array of keys; it prepares each HMAC key anew on
// every call and compares with tsscmp, which computes two more HMACs under a fresh random key: a
// tenth of the provider's CPU on the login and consent pages. Here each key is prepared once and the
// comparison is crypto.timingSafeEqual: constant time for a digest of the expected length, and a
// digest of another length is refused at once (the length of a SHA-1 digest is no secret).
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

export class CookieKeys {
  readonly #keys: KeyObject[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('at least one cookie secret is required');
    this.#keys = secrets.map((secret) => createSecretKey(Buffer.from(secret, 'utf8')));
  }

  #digest(data: string, key: KeyObject): string {
    return createHmac('sha1', key).update(data).digest('base64url');
  }

  sign(data: string): string {
    return this.#digest(data, this.#keys[0] as KeyObject);
  }

  verify(data: string, digest: string): boolean {
    return this.index(data, digest) > -1;
  }

  /** The index of the key that signed `data` as `digest`, or -1. */
  index(data: string, digest: string): number {
    if (typeof digest !== 'string') return -1;
    const given = Buffer.from(digest, 'utf8');
    for (const [i, key] of this.#keys.entries()) {
      const expected = Buffer.from(this.#digest(data, key), 'utf8');
      if (given.length === expected.length && timingSafeEqual(given, expected)) return i;
    }
    return -1;
  }
}
