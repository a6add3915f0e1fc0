// DPoP proofs presented to the resource API (RFC 9449 §4.3, §7.1): a JWT of type dpop+jwt, signed
// with an allowed algorithm by the public key in its own `jwk` header, for this method and this URL,
// recent, carrying the hash of the access token it accompanies. The caller then checks that the key
// is the one the token is bound to, and that the proof's jti has not been seen before.
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, errors, type JWK, jwtVerify } from 'jose';
import { HIGH_ASSURANCE_ALGS } from '../oidc/high-assurance.ts';

/** How long after its iat a proof is accepted; a little skew is tolerated either way. */
export const DPOP_MAX_AGE_SECONDS = 60;
export const DPOP_CLOCK_SKEW_SECONDS = 5;
/** How long a used jti must be remembered: as long as its proof could still pass the iat check. */
export const DPOP_JTI_LIFETIME_SECONDS = DPOP_MAX_AGE_SECONDS + 2 * DPOP_CLOCK_SKEW_SECONDS;
/** The algorithms the resource API accepts, advertised in its DPoP challenges. */
export const DPOP_ALGS: readonly string[] = HIGH_ASSURANCE_ALGS;

const MAX_JTI_LENGTH = 256;

export class DpopProofError extends Error {
  override name = 'DpopProofError';
}

export interface VerifiedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key, to compare with the token's cnf.jkt */
  jkt: string;
  jti: string;
}

/** The URL a proof must name: scheme, host and path, without query or fragment, normalised. */
function withoutQuery(url: string): string | undefined {
  const parsed = URL.parse(url);
  if (!parsed) return undefined;
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

export async function verifyDpopProof(
  proof: string,
  request: { method: string; url: string; accessToken: string },
): Promise<VerifiedProof> {
  let verified: Awaited<ReturnType<typeof jwtVerify>>;
  try {
    verified = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [...DPOP_ALGS],
      maxTokenAge: DPOP_MAX_AGE_SECONDS,
      clockTolerance: DPOP_CLOCK_SKEW_SECONDS,
      requiredClaims: ['jti', 'htm', 'htu', 'iat', 'ath'],
    });
  } catch (err) {
    if (
      err instanceof errors.JWTExpired ||
      (err instanceof errors.JWTClaimValidationFailed && err.claim === 'iat')
    ) {
      throw new DpopProofError('the DPoP proof is not recent enough');
    }
    // Anything else (a bad signature, header, key or claim) is attacker-controlled input: a 401.
    throw new DpopProofError('the DPoP proof is invalid');
  }
  const { payload, protectedHeader } = verified;
  const { jti, htm, htu, ath } = payload as Record<string, unknown>;
  if (typeof jti !== 'string' || !jti || jti.length > MAX_JTI_LENGTH) {
    throw new DpopProofError('the DPoP proof has no usable jti');
  }
  if (htm !== request.method) throw new DpopProofError('the DPoP proof is for another HTTP method');
  const expected = withoutQuery(request.url);
  if (typeof htu !== 'string' || !expected || withoutQuery(htu) !== expected) {
    throw new DpopProofError('the DPoP proof is for another URL');
  }
  if (ath !== createHash('sha256').update(request.accessToken).digest('base64url')) {
    throw new DpopProofError('the DPoP proof is for another access token');
  }
  // EmbeddedJWK has already refused anything but a public key fit for the algorithm.
  const jkt = await calculateJwkThumbprint(protectedHeader.jwk as JWK, 'sha256');
  return { jkt, jti };
}
