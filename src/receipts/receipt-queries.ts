import type { Queryable } from '../db/pool.ts';

export interface ReceiptEventRow {
  id: string;
  consent_id: string;
  jobseeker_id: string;
  client_id: string;
  kind: string;
  fields_added: string[];
  fields_removed: string[];
  fields_after: string[];
  texts_hash: string | null;
  texts: { purposes?: Record<string, string> } | null;
  actor: string;
  created_at: Date;
  /** the consent's expiry now: the one this event set only when it is the consent's latest event */
  expires_at: Date;
  latest: boolean;
  previous_kind: string | null;
  client_name: string;
  operator_name: string;
  operator_siret: string | null;
  contact_email: string | null;
  policy_uri: string | null;
  website: string | null;
}

/** One event of one of this jobseeker's consents, with what its receipt needs; undefined otherwise. */
export async function findReceiptEvent(
  db: Queryable,
  jobseekerId: string,
  consentId: string,
  eventId: string,
): Promise<ReceiptEventRow | undefined> {
  if (!/^\d{1,18}$/.test(eventId)) return undefined;
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(consentId)) return undefined;
  const { rows } = await db.query<ReceiptEventRow>(
    `SELECT e.id::text, e.consent_id, e.jobseeker_id, e.client_id, e.kind, e.fields_added, e.fields_removed,
            e.fields_after, e.texts_hash, t.texts, e.actor, e.created_at, c.expires_at,
            NOT EXISTS (SELECT 1 FROM consent_events n WHERE n.consent_id = e.consent_id AND n.id > e.id) AS latest,
            (SELECT p.kind FROM consent_events p WHERE p.consent_id = e.consent_id AND p.id < e.id
              ORDER BY p.id DESC LIMIT 1) AS previous_kind,
            cl.name AS client_name, cl.operator_name, cl.operator_siret, cl.contact_email, cl.policy_uri,
            cl.website
       FROM consent_events e
       JOIN consents c ON c.id = e.consent_id
       JOIN clients cl ON cl.id = e.client_id
       LEFT JOIN consent_texts t ON t.hash = e.texts_hash
      WHERE e.id = $3::bigint AND e.consent_id = $2::uuid AND e.jobseeker_id = $1`,
    [jobseekerId, consentId, eventId],
  );
  return rows[0];
}
