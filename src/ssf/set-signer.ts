// Signs SETs with our own signing key of the JWKS (src/oidc/signing-keys.ts), RS256 — what every JOSE
// library verifies — with `typ: secevent+jwt` (RFC 8417 §2.3, which SSF 1.0 §4.1.9 requires). The key
// is re-read at most every `refreshMs`, so a rotation is followed as the provider follows it.
import { importJWK, type JWK, SignJWT } from 'jose';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { pairwiseSubject } from '../legacy/legacy-id-claims.ts';
import { loadActiveSigningKey } from '../oidc/signing-keys.ts';
import { type OutboxEvent, setPayload } from './ssf-events.ts';

const ALG = 'RS256';
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A Logout Token is valid two minutes from its signature (Back-Channel Logout 1.0 §2.4: exp). */
const LOGOUT_TOKEN_SECONDS = 120;

export function createSetSigner(deps: {
  pool: Pool;
  box: SecretBox;
  issuer: string;
  pairwiseSalt: string;
  refreshMs: number;
}) {
  const cache = new Map<string, { at: number; kid: string; key: CryptoKey | Uint8Array }>();

  async function key(alg = ALG) {
    const cached = cache.get(alg);
    if (cached && Date.now() - cached.at < deps.refreshMs) return cached;
    const jwk = (await loadActiveSigningKey(deps.pool, deps.box, alg)) as JWK | undefined;
    if (!jwk?.kid) throw new Error(`no active ${alg} signing key`);
    const loaded = { at: Date.now(), kid: jwk.kid, key: await importJWK(jwk, alg) };
    cache.set(alg, loaded);
    return loaded;
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

    /** Any other token we sign ourselves (signed consent receipts, src/receipts/), RS256. */
    async signJwt(payload: Record<string, unknown>, typ: string): Promise<string> {
      const { kid, key: signingKey } = await key();
      return new SignJWT(payload).setProtectedHeader({ alg: ALG, kid, typ }).sign(signingKey);
    },

    /**
     * An OpenID Connect Back-Channel Logout 1.0 Logout Token naming the jobseeker by the app's
     * pairwise `sub`, signed with the algorithm of the app's ID tokens (ES256 for high-assurance apps).
     */
    async logoutToken(l: {
      jti: string;
      clientId: string;
      jobseekerId: string;
      alg: string;
    }): Promise<string> {
      const { kid, key: signingKey } = await key(l.alg);
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: deps.issuer,
        aud: l.clientId,
        iat: now,
        exp: now + LOGOUT_TOKEN_SECONDS,
        jti: l.jti,
        sub: pairwiseSubject(deps.pairwiseSalt, l.clientId, l.jobseekerId),
        events: { [LOGOUT_EVENT]: {} },
      })
        .setProtectedHeader({ alg: l.alg, kid, typ: 'logout+jwt' })
        .sign(signingKey);
    },
  };
}

export type SetSigner = ReturnType<typeof createSetSigner>;
