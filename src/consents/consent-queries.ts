import type { Queryable } from '../db/pool.ts';

export interface ConsentRow {
  id: string;
  jobseeker_id: string;
  client_id: string;
  status: 'active' | 'revoked';
  fields: string[];
  texts_hash: string;
  grant_id: string | null;
  granted_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

export type ConsentEventKind = 'granted' | 'extended' | 'narrowed' | 'revoked' | 'expired';

export interface NewConsentEvent {
  consentId: string;
  jobseekerId: string;
  clientId: string;
  kind: ConsentEventKind;
  fieldsAdded: string[];
  fieldsRemoved: string[];
  fieldsAfter: string[];
  textsHash: string | null;
  actor: string;
  requestId?: string;
  interactionUid?: string;
}

// The consent whose fields may be served right now: active and not expired.
export async function findLiveConsent(
  db: Queryable,
  jobseekerId: string,
  clientId: string,
): Promise<ConsentRow | undefined> {
  const { rows } = await db.query<ConsentRow>(
    `SELECT * FROM consents
      WHERE jobseeker_id = $1 AND client_id = $2 AND status = 'active' AND expires_at > now()`,
    [jobseekerId, clientId],
  );
  return rows[0];
}

export async function findConsent(
  db: Queryable,
  jobseekerId: string,
  clientId: string,
): Promise<ConsentRow | undefined> {
  const { rows } = await db.query<ConsentRow>(
    'SELECT * FROM consents WHERE jobseeker_id = $1 AND client_id = $2',
    [jobseekerId, clientId],
  );
  return rows[0];
}

export async function lockConsent(
  db: Queryable,
  jobseekerId: string,
  clientId: string,
): Promise<ConsentRow | undefined> {
  const { rows } = await db.query<ConsentRow>(
    'SELECT * FROM consents WHERE jobseeker_id = $1 AND client_id = $2 FOR UPDATE',
    [jobseekerId, clientId],
  );
  return rows[0];
}

export async function saveTexts(db: Queryable, hash: string, texts: object): Promise<void> {
  await db.query('INSERT INTO consent_texts (hash, texts) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING', [
    hash,
    texts,
  ]);
}

export async function insertConsent(
  db: Queryable,
  c: { jobseekerId: string; clientId: string; fields: string[]; textsHash: string; durationDays: number },
): Promise<ConsentRow> {
  // ON CONFLICT: two first-time grants racing on the same pair end as one row (the caller re-reads).
  const { rows } = await db.query<ConsentRow>(
    `INSERT INTO consents (jobseeker_id, client_id, status, fields, texts_hash, granted_at, expires_at)
     VALUES ($1, $2, 'active', $3, $4, now(), now() + make_interval(days => $5))
     ON CONFLICT (jobseeker_id, client_id) DO NOTHING
     RETURNING *`,
    [c.jobseekerId, c.clientId, c.fields, c.textsHash, c.durationDays],
  );
  return rows[0] as ConsentRow;
}

export async function updateConsentGrant(
  db: Queryable,
  id: string,
  c: { fields: string[]; textsHash: string; durationDays: number; renewed: boolean },
): Promise<ConsentRow> {
  const { rows } = await db.query<ConsentRow>(
    `UPDATE consents
        SET status = 'active', fields = $2, texts_hash = $3, revoked_at = NULL, updated_at = now(),
            granted_at = CASE WHEN $5 THEN now() ELSE granted_at END,
            expires_at = now() + make_interval(days => $4)
      WHERE id = $1
      RETURNING *`,
    [id, c.fields, c.textsHash, c.durationDays, c.renewed],
  );
  return rows[0] as ConsentRow;
}

export async function setConsentGrantId(db: Queryable, id: string, grantId: string): Promise<void> {
  await db.query('UPDATE consents SET grant_id = $2 WHERE id = $1', [id, grantId]);
}

// Returns false when this interaction already recorded its event (a double submission).
export async function insertConsentEvent(db: Queryable, e: NewConsentEvent): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO consent_events (consent_id, jobseeker_id, client_id, kind, fields_added, fields_removed,
       fields_after, texts_hash, actor, request_id, interaction_uid)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (interaction_uid) WHERE interaction_uid IS NOT NULL DO NOTHING`,
    [
      e.consentId,
      e.jobseekerId,
      e.clientId,
      e.kind,
      e.fieldsAdded,
      e.fieldsRemoved,
      e.fieldsAfter,
      e.textsHash,
      e.actor,
      e.requestId ?? null,
      e.interactionUid ?? null,
    ],
  );
  return result.rowCount === 1;
}
