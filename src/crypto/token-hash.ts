// The one-way fingerprint under which a bearer value (a token, a code, a cookie's session id) is
// stored, so that a copy of the database holds nothing that can be presented back to us.
// SHA-256, unkeyed and unsalted on purpose: every value hashed here is a random string of at least
// 126 bits (oidc-provider's nanoid ids; 256 bits for its tokens), so there is no dictionary to
// precompute and nothing a salt or a key would add against a stolen dump. Unkeyed, it needs no
// secret to rotate (a keyed hash under COOKIE_SECRETS would void every token at each rotation), and
// PostgreSQL computes the same value (migrations/020_hashed_token_ids.sql).
import { createHash } from 'node:crypto';

/** base64url (no padding) of SHA-256 over the value's UTF-8 bytes: 43 characters. */
export const tokenHash = (value: string): string => createHash('sha256').update(value).digest('base64url');
