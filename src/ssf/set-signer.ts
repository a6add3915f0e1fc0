// Signs SETs with our own signing key of the JWKS (src/oidc/signing-keys.ts), RS256 — what every JOSE
// library verifies — with `typ: secevent+jwt` (RFC 8417 §2.3, which SSF 1.0 §4.1.9 requires). The key
// is re-read at most every `refreshMs`, so a rotation is followed as the provider follows it.
import { importJWK, type JWK, SignJWT } from 'jose';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { pairwiseSubject } from '../oidc/pairwise-subject.ts';
import { loadActiveSigningKey } from '../oidc/signing-keys.ts';
import { type OutboxEvent, setPayload } from './ssf-events.ts';

const ALG = 'RS256';

export function createSetSigner(deps: {
  pool: Pool;
  box: SecretBox;
  issuer: string;
  pairwiseSalt: string;
  refreshMs: number;
}) {
  let cached: { at: number; kid: string; key: CryptoKey | Uint8Array } | undefined;

  async function key() {
    if (cached && Date.now() - cached.at < deps.refreshMs) return cached;
    const jwk = (await loadActiveSigningKey(deps.pool, deps.box, ALG)) as JWK | undefined;
    if (!jwk?.kid) throw new Error('no active RS256 signing key');
    cached = { at: Date.now(), kid: jwk.kid, key: await importJWK(jwk, ALG) };
    return cached;
  }

  return {
    async sign(e: OutboxEvent): Promise<string> {
      const sub = e.jobseeker_id
        ? pairwiseSubject(deps.pairwiseSalt, e.client_id, e.jobseeker_id)
        : undefined;
      const { kid, key: signingKey } = await key();
      return new SignJWT(setPayload(e, deps.issuer, sub))
        .setProtectedHeader({ alg: ALG, kid, typ: 'secevent+jwt' })
        .sign(signingKey);
    },
  };
}

export type SetSigner = ReturnType<typeof createSetSigner>;
