// Signed consent receipts: made on demand from the consent event (consent-receipt.ts), signed at
// download with the current key; verified against every key we ever signed with (verify-receipt.ts).
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Queryable } from '../db/pool.ts';
import { AppError } from '../http/app-error.ts';
import { listPublicKeysEver, type PublicKeyEver } from '../oidc/signing-keys.ts';
import type { SetSigner } from '../ssf/set-signer.ts';
import { RECEIPT_TYP, receiptPayload } from './consent-receipt.ts';
import { findReceiptEvent } from './receipt-queries.ts';
import { verifyReceipt } from './verify-receipt.ts';

/** The keys as published for receipts: each with the period in which it signed. */
export const publishedReceiptKeys = (keys: PublicKeyEver[]) => ({
  keys: keys.map((k) => ({
    ...k.jwk,
    // Ours: a receipt is valid when its iat falls in this period (seconds since the epoch).
    nbf: Math.floor(k.activates_at.getTime() / 1000),
    ...(k.retires_at ? { exp: Math.floor(k.retires_at.getTime() / 1000) } : {}),
  })),
});

/** The inverse of publishedReceiptKeys, for a verifier that fetched them (the CLI with --issuer). */
export const fromPublishedReceiptKeys = (published: { keys: Record<string, unknown>[] }): PublicKeyEver[] =>
  published.keys.map(({ nbf, exp, ...jwk }) => ({
    jwk,
    activates_at: new Date(Number(nbf) * 1000),
    retires_at: exp === undefined ? null : new Date(Number(exp) * 1000),
  }));

export function createReceiptService(deps: {
  box: SecretBox;
  signer: SetSigner;
  issuer: string;
  operatorName: string;
}) {
  return {
    async sign(db: Queryable, jobseekerId: string, consentId: string, eventId: string) {
      const event = await findReceiptEvent(db, jobseekerId, consentId, eventId);
      if (!event) throw new AppError(404, 'not_found', 'Ce reçu est introuvable.');
      const payload = receiptPayload(event, deps.issuer, { name: deps.operatorName });
      return { event, payload, jws: await deps.signer.signJwt(payload, RECEIPT_TYP) };
    },
    keys: async (db: Queryable) => publishedReceiptKeys(await listPublicKeysEver(db, deps.box)),
    verify: async (db: Queryable, jws: string) =>
      verifyReceipt(jws, await listPublicKeysEver(db, deps.box), deps.issuer),
  };
}

export type ReceiptService = ReturnType<typeof createReceiptService>;
