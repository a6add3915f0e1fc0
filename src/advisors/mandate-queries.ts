// A mandate is a row of `consents` whose recipient is an advisor (migration 106): these statements
// are the advisor-side twins of ../consents/consent-queries.ts, on the same table and event log.

import { markConsentRevoked } from '../consents/consent-change-queries.ts';
import { type ConsentRow, insertConsentEvent, liveConsent } from '../consents/consent-queries.ts';
import type { Queryable } from '../db/pool.ts';

export type MandateRow = Omit<ConsentRow, 'client_id' | 'status'> & {
  advisor_id: string;
  status: 'active' | 'revoked' | 'expired';
};

const COLUMNS =
  'id, jobseeker_id, advisor_id, status, fields, texts_hash, grant_id, granted_at, expires_at, revoked_at';

/** The jobseeker's mandate to this advisor, whatever its state. */
export async function findMandate(
  db: Queryable,
  jobseekerId: string,
  advisorId: string,
): Promise<MandateRow | undefined> {
  const { rows } = await db.query<MandateRow>(
    `SELECT ${COLUMNS} FROM consents WHERE jobseeker_id = $1 AND advisor_id = $2`,
    [jobseekerId, advisorId],
  );
  return rows[0];
}

// Locks the pair's mandate (undefined before the first one) and stores the texts shown, in one round
// trip, in the same order as an app's consent (lock, then texts).
export async function lockMandateSavingTexts(
  db: Queryable,
  m: { jobseekerId: string; advisorId: string; textsHash: string; texts: object },
): Promise<MandateRow | undefined> {
  const { rows } = await db.query<MandateRow>(
    `WITH texts AS (
       INSERT INTO consent_texts (hash, texts) VALUES ($3, $4) ON CONFLICT (hash) DO NOTHING
     )
     SELECT ${COLUMNS} FROM consents WHERE jobseeker_id = $1 AND advisor_id = $2 FOR UPDATE`,
    [m.jobseekerId, m.advisorId, m.textsHash, m.texts],
  );
  return rows[0];
}

export async function insertMandate(
  db: Queryable,
  m: { jobseekerId: string; advisorId: string; fields: string[]; textsHash: string; months: number },
): Promise<MandateRow | undefined> {
  const { rows } = await db.query<MandateRow>(
    `INSERT INTO consents (jobseeker_id, advisor_id, status, fields, texts_hash, granted_at, expires_at)
     VALUES ($1, $2, 'active', $3, $4, now(), now() + make_interval(months => $5))
     ON CONFLICT (jobseeker_id, advisor_id) WHERE advisor_id IS NOT NULL DO NOTHING
     RETURNING ${COLUMNS}`,
    [m.jobseekerId, m.advisorId, m.fields, m.textsHash, m.months],
  );
  return rows[0];
}

export async function updateMandate(
  db: Queryable,
  id: string,
  m: { fields: string[]; textsHash: string; months: number; renewed: boolean },
): Promise<MandateRow> {
  const { rows } = await db.query<MandateRow>(
    `UPDATE consents
        SET status = 'active', fields = $2, texts_hash = $3, revoked_at = NULL, updated_at = now(),
            granted_at = CASE WHEN $5 THEN now() ELSE granted_at END,
            expires_at = now() + make_interval(months => $4)
      WHERE id = $1
      RETURNING ${COLUMNS}`,
    [id, m.fields, m.textsHash, m.months, m.renewed],
  );
  return rows[0] as MandateRow;
}

// The fields an advisor may see right now: a live mandate given to this very advisor, who still has
// the jobseeker in their portfolio and is not disabled. Read on the primary at every view, so a
// withdrawal or an expiry stops every view at once, on every instance.
export async function findLiveMandate(
  db: Queryable,
  advisorId: string,
  jobseekerId: string,
): Promise<{ id: string; fields: string[]; expires_at: Date } | undefined> {
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(jobseekerId)) return undefined;
  const { rows } = await db.query<{ id: string; fields: string[]; expires_at: Date }>(
    `SELECT c.id, c.fields, c.expires_at
       FROM consents c
       JOIN advisor_assignments s ON s.jobseeker_id = c.jobseeker_id AND s.advisor_id = c.advisor_id
       JOIN advisors a ON a.id = c.advisor_id AND a.disabled_at IS NULL
      WHERE c.advisor_id = $1 AND c.jobseeker_id = $2 AND ${liveConsent('c')}`,
    [advisorId, jobseekerId],
  );
  return rows[0];
}

/** A reassignment ends the mandate given to the previous advisor, recorded like a withdrawal. */
export async function withdrawOnReassignment(
  db: Queryable,
  jobseekerId: string,
  previousAdvisorId: string,
): Promise<void> {
  const { rows } = await db.query<MandateRow>(
    `SELECT ${COLUMNS} FROM consents WHERE jobseeker_id = $1 AND advisor_id = $2 AND status = 'active' FOR UPDATE`,
    [jobseekerId, previousAdvisorId],
  );
  const mandate = rows[0];
  if (mandate) await revokeMandate(db, mandate, 'system:reassignment');
}

/** Ends a mandate (its row locked by the caller) and logs the withdrawal: every field removed. */
export async function revokeMandate(
  db: Queryable,
  mandate: MandateRow,
  actor: string,
  requestId?: string,
): Promise<void> {
  await markConsentRevoked(db, mandate.id);
  await insertConsentEvent(db, {
    consentId: mandate.id,
    jobseekerId: mandate.jobseeker_id,
    clientId: null,
    kind: 'revoked',
    fieldsAdded: [],
    fieldsRemoved: mandate.fields,
    fieldsAfter: [],
    textsHash: mandate.texts_hash,
    actor,
    requestId,
  });
}

/** An advisor's view is a read in the jobseeker's access log: which scope, which fields, when. */
export async function insertAdvisorReads(
  db: Queryable,
  jobseekerId: string,
  advisorId: string,
  reads: { scope: string; fields: string[] }[],
): Promise<void> {
  if (!reads.length) return;
  await db.query(
    `INSERT INTO access_log (jobseeker_id, advisor_id, scope, fields, read_at)
     SELECT $1, $2, r.scope, string_to_array(r.fields, ' '), now()
       FROM unnest($3::text[], $4::text[]) AS r (scope, fields)`,
    [jobseekerId, advisorId, reads.map((r) => r.scope), reads.map((r) => r.fields.join(' '))],
  );
}
