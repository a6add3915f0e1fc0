// High-assurance clients follow the FAPI 2.0 Security Profile: pushed authorization requests,
// private_key_jwt, DPoP-bound access tokens, and only the PS256, ES256 and EdDSA signature
// algorithms. One definition here, shared by the registration rules, the provider configuration and
// the resource API.

/**
 * The JWS algorithms a high-assurance client may sign with (client assertions, DPoP proofs), and that
 * its ID tokens are signed with. 'Ed25519' is the fully-specified name of EdDSA over Ed25519 (RFC 9864).
 */
export const HIGH_ASSURANCE_ALGS = ['PS256', 'ES256', 'EdDSA', 'Ed25519'] as const;

export function isHighAssuranceAlg(alg: unknown): alg is (typeof HIGH_ASSURANCE_ALGS)[number] {
  return (HIGH_ASSURANCE_ALGS as readonly unknown[]).includes(alg);
}

/** What the ID tokens of a high-assurance client are signed with (we hold an ES256 key, see signing-keys.ts). */
export const HIGH_ASSURANCE_ID_TOKEN_ALG = 'ES256';

/** The metadata property that marks a high-assurance client for oidc-provider (see provider-client-metadata.ts). */
export const HIGH_ASSURANCE_METADATA = 'high_assurance';

/** Whether a client, as oidc-provider sees it, is high-assurance. */
export function isHighAssurance(client: { metadata(): Record<string, unknown> } | undefined): boolean {
  return client?.metadata()[HIGH_ASSURANCE_METADATA] === true;
}

/** The key type (and curve) each allowed algorithm needs; a JWK for another algorithm is refused. */
export function keyFitsAlg(jwk: { kty?: unknown; crv?: unknown }, alg: string): boolean {
  switch (alg) {
    case 'PS256':
      return jwk.kty === 'RSA';
    case 'ES256':
      return jwk.kty === 'EC' && jwk.crv === 'P-256';
    case 'EdDSA':
    case 'Ed25519':
      return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
    default:
      return false;
  }
}
