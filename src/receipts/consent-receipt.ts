// A signed consent receipt: one per consent event, for the jobseeker to keep. Its payload follows the
// sections of the consent record information structure of ISO/IEC TS 27560:2023 — record header
// (schema, record and event ids, the PII principal), party identification (the PII controller: the
// app's operator, with its contact and privacy notice), PII processing (each purpose as the page
// showed it, its legal basis and the data categories: our '<scope>.<field>' keys), the notice (the
// SHA-256 of the exact texts shown, kept in consent_texts) and the event (type, time, who, the
// consent's state after it). Member names are ours, in the standard's terms; the receipt is a JWS
// (`typ: consent-receipt+jwt`) signed with our keys, verifiable against our published keys.
import type { ReceiptEventRow } from './receipt-queries.ts';

export const RECEIPT_TYP = 'consent-receipt+jwt';

/** The event as the jobseeker names it: a first grant, more fields, fewer, a renewal, a withdrawal, an expiry. */
export function receiptEventType(e: Pick<ReceiptEventRow, 'kind' | 'previous_kind' | 'fields_removed'>) {
  switch (e.kind) {
    case 'granted':
      return !e.previous_kind || e.previous_kind === 'revoked' || e.previous_kind === 'expired'
        ? 'given'
        : 'widened';
    case 'extended':
      return 'renewed';
    case 'narrowed':
      return 'narrowed';
    case 'revoked':
      return 'withdrawn';
    default:
      return 'expired';
  }
}

const ACTORS: Record<string, string> = { jobseeker: 'pii-principal', system: 'system' };

export function receiptPayload(e: ReceiptEventRow, issuer: string, operator: { name: string }) {
  const type = receiptEventType(e);
  const state = type === 'withdrawn' ? 'withdrawn' : type === 'expired' ? 'expired' : 'active';
  const involved = [...new Set([...e.fields_after, ...e.fields_removed, ...e.fields_added])].sort();
  const purposes = e.texts?.purposes ?? {};
  const byScope = new Map<string, string[]>();
  for (const key of involved) {
    const scope = key.split('.')[0] as string;
    byScope.set(scope, [...(byScope.get(scope) ?? []), key]);
  }
  return {
    iss: issuer,
    jti: `urn:pole-emploi-connect:consent-receipt:${e.id}`,
    iat: Math.floor(Date.now() / 1000),
    sub: e.jobseeker_id,
    consent_receipt: {
      schema: 'ISO/IEC TS 27560:2023',
      language: 'fr',
      recordId: e.consent_id,
      eventId: e.id,
      piiPrincipalId: e.jobseeker_id,
      recordKeeper: { name: operator.name, service: 'Pôle emploi Connect', issuer },
      piiControllers: [
        {
          name: e.operator_name || e.client_name,
          ...(e.operator_siret ? { siret: e.operator_siret } : {}),
          service: e.client_name,
          serviceId: e.client_id,
          ...(e.contact_email ? { contact: e.contact_email } : {}),
          ...(e.policy_uri ? { privacyNotice: e.policy_uri } : {}),
        },
      ],
      purposes: [...byScope.entries()].map(([scope, keys]) => ({
        scope,
        purpose: purposes[scope] ?? null,
        legalBasis: 'GDPR Art. 6(1)(a): consent',
        piiCategories: keys,
      })),
      dataCategories: e.fields_after,
      fieldsAdded: e.fields_added,
      fieldsRemoved: e.fields_removed,
      notice: e.texts_hash ? { hashAlgorithm: 'sha-256', textsHash: e.texts_hash } : null,
      event: {
        type,
        time: e.created_at.toISOString(),
        actor: ACTORS[e.actor] ?? 'controller',
        consentState: state,
        ...(state === 'active' && e.latest ? { expiry: e.expires_at.toISOString() } : {}),
      },
    },
  };
}

export type ReceiptPayload = ReturnType<typeof receiptPayload>;
