// What the apps written for Pôle emploi Connect read in the ID token besides the standard claims
// (PECONNECT.md §2.3, §8.2): Pix takes the person's identifier from `idIdentiteExterne`, Perspectives
// checks `realm`. They are given to the apps registered under their Pôle emploi Connect identifier
// (PAR_…, legacy-client-input.ts), with the openid scope, in the ID token and at userinfo:
// - idIdentiteExterne is the app's pairwise identifier in the UUID form the apps validate (PECONNECT.md
//   §2.4 "string (UUID)"; immersion facile's zUuidLike takes at most 36 characters, which the 43 of
//   `sub` exceed): the first 128 bits of the very HMAC `sub` is made of (legacyExternalId). It
//   tells the app nothing that `sub` does not, and two apps still cannot link a person. The legacy
//   userinfo API (src/legacy-api) sends the same value;
// - realm is the constant "/individu".
// Neither is a field of the catalog: like `sub`, they are always shared and hold no personal data.
import { createHmac } from 'node:crypto';
import { LEGACY_CLIENT_ID } from '../clients/legacy-client-input.ts';

export const LEGACY_ID_CLAIMS = ['idIdentiteExterne', 'realm'] as const;

/** The pairwise subject identifier of an account for an app (provider-config.ts's pairwiseIdentifier). */
export function pairwiseSubject(salt: string, clientId: string, accountId: string): string {
  return createHmac('sha256', salt).update(`${clientId}\0${accountId}`).digest('base64url');
}

/**
 * The app's pairwise identifier as a UUID (RFC 9562 version 8, "custom"): 8-4-4-4-12 lowercase hex
 * from the first 16 bytes of the HMAC behind `sub`, with the version and variant bits set.
 */
export function legacyExternalId(salt: string, clientId: string, accountId: string): string {
  const bytes = createHmac('sha256', salt).update(`${clientId}\0${accountId}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function legacyIdClaims(
  salt: string,
  clientId: string | undefined,
  accountId: string,
): Record<string, string> | undefined {
  if (!clientId || !LEGACY_CLIENT_ID.test(clientId)) return undefined;
  return { idIdentiteExterne: legacyExternalId(salt, clientId, accountId), realm: '/individu' };
}
