// What the apps written for Pôle emploi Connect read in the ID token besides the standard claims
// (PECONNECT.md §2.3, §8.2): Pix takes the person's identifier from `idIdentiteExterne`, Perspectives
// checks `realm`. They are given to the apps registered under their Pôle emploi Connect identifier
// (PAR_…, legacy-client-input.ts), with the openid scope, in the ID token and at userinfo:
// - idIdentiteExterne is the app's pairwise `sub` (every sample has sub = idIdentiteExterne), so it
//   tells the app nothing that `sub` does not, and two apps still cannot link a person;
// - realm is the constant "/individu".
// Neither is a field of the catalog: like `sub`, they are always shared and hold no personal data.
import { createHmac } from 'node:crypto';
import { LEGACY_CLIENT_ID } from '../clients/legacy-client-input.ts';

export const LEGACY_ID_CLAIMS = ['idIdentiteExterne', 'realm'] as const;

/** The pairwise subject identifier of an account for an app (provider-config.ts's pairwiseIdentifier). */
export function pairwiseSubject(salt: string, clientId: string, accountId: string): string {
  return createHmac('sha256', salt).update(`${clientId}\0${accountId}`).digest('base64url');
}

export function legacyIdClaims(
  salt: string,
  clientId: string | undefined,
  accountId: string,
): Record<string, string> | undefined {
  if (!clientId || !LEGACY_CLIENT_ID.test(clientId)) return undefined;
  return { idIdentiteExterne: pairwiseSubject(salt, clientId, accountId), realm: '/individu' };
}
