// The Security Event Tokens we send (RFC 8417), with the event types of CAEP 1.0 and SSF 1.0. Each
// SET names one subject with a top-level `sub_id` (SSF 1.0 §4.1, RFC 9493 `iss_sub`: our issuer and
// the app's pairwise `sub`, the one its ID tokens carry), and one event:
//   - token-claims-change (CAEP 1.0 §3.2): a narrowing — the jobseeker took back some fields, the
//     others are still shared (`claims.pec_shared_fields`);
//   - session-revoked (CAEP 1.0 §3.1): a withdrawal (one app, « Retirer tous mes accords », an app's
//     deletion), an expiry, or the app's suspension — its tokens are gone;
//   - verification (SSF 1.0 §8.1.4), at the receiver's request.
// Our extension member in both CAEP events, as RFC 8417 §2.2 lets an event profile's payload carry
// (receivers ignore members they do not know): `pec_withdrawn_fields`, the '<scope>.<field>' keys no
// longer shared from `event_timestamp` on (empty for a suspension: the consent stays), and
// `pec_reason`: consent_narrowed, consent_withdrawn, consent_expired, app_deleted, app_suspended.
// The payload depends only on the outbox row, so a SET sent again is the same SET (same jti).

export const EVENT_TYPES = {
  tokenClaimsChange: 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change',
  sessionRevoked: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  verification: 'https://schemas.openid.net/secevent/ssf/event-type/verification',
} as const;

/** What a stream may ask for (verification is always delivered, SSF 1.0 §8.1.4). */
export const EVENTS_SUPPORTED = [EVENT_TYPES.tokenClaimsChange, EVENT_TYPES.sessionRevoked];

export const PUSH = 'urn:ietf:rfc:8935';
export const POLL = 'urn:ietf:rfc:8936';

export interface OutboxEvent {
  seq: string;
  jti: string;
  stream_id: string;
  client_id: string;
  event_type: string;
  jobseeker_id: string | null;
  consent_event_id: string | null;
  withdrawn_fields: string[];
  /** for a narrowing: the fields still shared after it (from its consent event) */
  fields_after: string[] | null;
  initiating_entity: string | null;
  reason: string | null;
  extra: Record<string, unknown>;
  occurred_at: Date;
}

const REASONS: Record<string, { en: string; fr: string }> = {
  consent_narrowed: {
    en: 'The person stopped sharing some fields with this application.',
    fr: 'La personne a cessé de partager certaines données avec cette application.',
  },
  consent_withdrawn: {
    en: 'The person withdrew their consent.',
    fr: 'La personne a retiré son accord.',
  },
  consent_expired: { en: 'The consent expired.', fr: 'L’accord est arrivé à échéance.' },
  app_deleted: {
    en: 'The application was removed: every consent ends.',
    fr: 'L’application a été supprimée : tous les accords prennent fin.',
  },
  app_suspended: {
    en: 'The application was suspended: its tokens were revoked.',
    fr: 'L’application a été suspendue : ses jetons ont été révoqués.',
  },
};

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** The SET claims of one outbox row; `sub` is the app's pairwise identifier for the jobseeker. */
export function setPayload(e: OutboxEvent, issuer: string, sub: string | undefined): Record<string, unknown> {
  const base = {
    iss: issuer,
    jti: e.jti,
    // The time the event was queued, not of this attempt: a retry sends the same token.
    iat: seconds(e.occurred_at),
    aud: e.client_id,
  };
  if (e.event_type === EVENT_TYPES.verification) {
    return {
      ...base,
      sub_id: { format: 'opaque', id: e.stream_id },
      events: { [e.event_type]: { ...e.extra } },
    };
  }
  const reason = e.reason ? REASONS[e.reason] : undefined;
  const event: Record<string, unknown> = {
    event_timestamp: seconds(e.occurred_at),
    ...(e.initiating_entity ? { initiating_entity: e.initiating_entity } : {}),
    ...(reason ? { reason_admin: { en: reason.en }, reason_user: { en: reason.en, fr: reason.fr } } : {}),
    pec_reason: e.reason,
    pec_withdrawn_fields: e.withdrawn_fields,
  };
  // CAEP 1.0 §3.2.1: `claims` (required) holds the claims' new values.
  if (e.event_type === EVENT_TYPES.tokenClaimsChange) {
    event.claims = { pec_shared_fields: e.fields_after ?? [] };
  }
  return {
    ...base,
    ...(e.consent_event_id ? { txn: e.consent_event_id } : {}),
    sub_id: { format: 'iss_sub', iss: issuer, sub },
    events: { [e.event_type]: event },
  };
}
