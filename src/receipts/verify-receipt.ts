// Checks a signed consent receipt against every key we ever signed with (public parts:
// listPublicKeysEver), so that a receipt stays verifiable after a rotation has taken its key out of
// the JWKS: the signature must verify with the key its `kid` names, the `typ` must be a receipt's,
// the issuer ours, and the receipt must have been signed while that key was in service (its `iat`
// between the key's activation and retirement), so a retired key, if it ever leaked, signs nothing new.
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import type { PublicKeyEver } from '../oidc/signing-keys.ts';
import { RECEIPT_TYP, type ReceiptPayload } from './consent-receipt.ts';

export type Verdict =
  | { valid: true; payload: ReceiptPayload; kid: string; signedAt: Date }
  | { valid: false; reason: string };

export async function verifyReceipt(jws: string, keys: PublicKeyEver[], issuer: string): Promise<Verdict> {
  const token = jws.trim();
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return { valid: false, reason: 'ce n’est pas un reçu signé (JWS compact attendu)' };
  }
  const key = keys.find((k) => k.jwk.kid === kid);
  if (!kid || !key) return { valid: false, reason: 'la clé qui l’aurait signé nous est inconnue' };
  try {
    const { payload } = await jwtVerify(token, await importJWK(key.jwk, key.jwk.alg), {
      issuer,
      typ: RECEIPT_TYP,
      algorithms: [key.jwk.alg as string],
      requiredClaims: ['iat', 'jti', 'consent_receipt'],
    });
    const signedAt = new Date((payload.iat as number) * 1000);
    // A second of slack either way: iat is in whole seconds.
    if (
      signedAt.getTime() < key.activates_at.getTime() - 1000 ||
      (key.retires_at && signedAt > key.retires_at)
    )
      return { valid: false, reason: 'il porte une date où sa clé ne signait pas' };
    return { valid: true, payload: payload as unknown as ReceiptPayload, kid, signedAt };
  } catch (err) {
    const code = (err as { code?: string }).code;
    return {
      valid: false,
      reason:
        code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
          ? 'sa signature ne correspond pas à son contenu : il a été modifié'
          : `il n’est pas valide (${(err as Error).message})`,
    };
  }
}
