import type { Queryable } from '../db/pool.ts';

export interface ConsentRow {
  id: string;
  jobseeker_id: string;
  client_id: string;
  /** 'expired' is set by the expiry job (migration 007), once the consent is past its date */
  status: 'active' | 'revoked' | 'expired';
  fields: string[];
  texts_hash: string;
  grant_id: string | null;
  granted_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

// The columns of ConsentRow, for the named statements (a prepared `SELECT *` would break on a new column).
const CONSENT_COLUMNS =
  'id, jobseeker_id, client_id, status, fields, texts_hash, grant_id, granted_at, expires_at, revoked_at';

export type ConsentEventKind = 'granted' | 'extended' | 'narrowed' | 'revoked' | 'expired';

export interface NewConsentEvent {
  consentId: string;
  jobseekerId: string;
  /** null for an advisor's mandate: the event takes the consent's advisor (migration 106) */
  clientId: string | null;
  kind: ConsentEventKind;
  fieldsAdded: string[];
  fieldsRemoved: string[];
  fieldsAfter: string[];
  textsHash: string | null;
  actor: string;
  requestId?: string;
  interactionUid?: string;
}

// What "live" means for a consent, in SQL, written once: active and not past its expiry — the consent
// whose fields may be served right now (isLive in consent-policy.ts says it of a row already read).
// `expires_at > now()` is checked as well as the status because the expiry job (expireDue) passes only
// every so often. Spliced as text into each query rather than kept in a view or an SQL function: each
// query keeps exactly the SQL, and so the plan, it had (a join on the pair's unique key, the partial
// index consents_expiring_idx for the expiry job), with nothing for the planner to inline.
export const liveConsent = (alias: string) => `${alias}.status = 'active' AND ${alias}.expires_at > now()`;

/** `LEFT JOIN consents <alias>`: the live consent of the jobseeker `jobseeker` to the app `client`
 * (two SQL expressions), its columns NULL without one. */
export const joinLiveConsent = (alias: string, jobseeker: string, client: string) =>
  `LEFT JOIN consents ${alias}
                    ON ${alias}.jobseeker_id = ${jobseeker} AND ${alias}.client_id = ${client}
                   AND ${liveConsent(alias)}`;

// The consent of one (jobseeker, app) pair, with `more` added to the statement.
async function pairConsent(db: Queryable, jobseekerId: string, clientId: string, more = '') {
  const { rows } = await db.query<ConsentRow>(
    `SELECT * FROM consents WHERE jobseeker_id = $1 AND client_id = $2${more}`,
    [jobseekerId, clientId],
  );
  return rows[0];
}

// The consent whose fields may be served right now.
export const findLiveConsent = (
  db: Queryable,
  jobseekerId: string,
  clientId: string,
): Promise<ConsentRow | undefined> =>
  pairConsent(db, jobseekerId, clientId, ` AND ${liveConsent('consents')}`);

export interface LiveTextsCheck {
  /** the app's allowed scopes and purposes, from which the texts a consent page would show derive */
  scopes: string[];
  purposes: Record<string, string>;
  /** the live consent, all null without one */
  consent_id: string | null;
  texts_hash: string | null;
  fields: string[] | null;
  grant_id: string | null;
  expires_at: Date | null;
  /** the scopes the page of the latest decision showed (the keys of its recorded texts) */
  shown_scopes: string[] | null;
}

/** $1: the jobseeker, $2: the app. */
export const LIVE_TEXTS_CHECK_SQL = `SELECT cl.scopes, cl.purposes, c.id AS consent_id, c.texts_hash, c.fields, c.grant_id,
                  c.expires_at,
                  (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(t.texts #> '{catalog,scopes}') k)
                    AS shown_scopes
             FROM clients cl
             ${joinLiveConsent('c', '$1', 'cl.id')}
             LEFT JOIN consent_texts t ON t.hash = c.texts_hash
            WHERE cl.id = $2 AND cl.deleted_at IS NULL`;

// The app (undefined when unknown or deleted) and its live consent from this jobseeker with what its
// page showed, in one round trip: what every authorization needs to decide whether to ask again, and
// to find (or repair) the Grant that carries the consent.
export async function findLiveTextsCheck(
  db: Queryable,
  jobseekerId: string,
  clientId: string,
): Promise<LiveTextsCheck | undefined> {
  const { rows } = await db.query<LiveTextsCheck>({
    name: 'consent-live-texts-check',
    text: LIVE_TEXTS_CHECK_SQL,
    values: [jobseekerId, clientId],
  });
  return rows[0];
}

export const findConsent = (
  db: Queryable,
  jobseekerId: string,
  clientId: string,
): Promise<ConsentRow | undefined> => pairConsent(db, jobseekerId, clientId);

export const lockConsent = (
  db: Queryable,
  jobseekerId: string,
  clientId: string,
): Promise<ConsentRow | undefined> => pairConsent(db, jobseekerId, clientId, ' FOR UPDATE');

/** Locks an app's active consents (a withdrawal at the same moment waits for the app's deletion). */
export async function lockActiveConsentsOfClient(
  db: Queryable,
  clientId: string,
): Promise<Pick<ConsentRow, 'id' | 'jobseeker_id' | 'fields' | 'texts_hash'>[]> {
  const { rows } = await db.query<Pick<ConsentRow, 'id' | 'jobseeker_id' | 'fields' | 'texts_hash'>>(
    "SELECT id, jobseeker_id, fields, texts_hash FROM consents WHERE client_id = $1 AND status = 'active' ORDER BY id FOR UPDATE",
    [clientId],
  );
  return rows;
}

// Locks this pair's consent (undefined before the first grant) and stores the texts shown unless
// already stored, in one round trip of the consent transaction. The texts are written after the lock
// is taken, in every transaction that records a decision: one order, no deadlock.
export async function lockConsentSavingTexts(
  db: Queryable,
  c: { jobseekerId: string; clientId: string; textsHash: string; texts: object },
): Promise<ConsentRow | undefined> {
  const { rows } = await db.query<ConsentRow>({
    name: 'consent-lock-saving-texts',
    text: `WITH texts AS (
             INSERT INTO consent_texts (hash, texts) VALUES ($3, $4) ON CONFLICT (hash) DO NOTHING
           )
           SELECT ${CONSENT_COLUMNS} FROM consents WHERE jobseeker_id = $1 AND client_id = $2 FOR UPDATE`,
    values: [c.jobseekerId, c.clientId, c.textsHash, c.texts],
  });
  return rows[0];
}

export async function insertConsent(
  db: Queryable,
  c: { jobseekerId: string; clientId: string; fields: string[]; textsHash: string; durationDays: number },
): Promise<ConsentRow> {
  // ON CONFLICT: two first-time grants racing on the same pair end as one row (the caller re-reads).
  const { rows } = await db.query<ConsentRow>({
    name: 'consent-insert',
    text: `INSERT INTO consents (jobseeker_id, client_id, status, fields, texts_hash, granted_at, expires_at)
           VALUES ($1, $2, 'active', $3, $4, now(), now() + make_interval(days => $5))
           ON CONFLICT (jobseeker_id, client_id) DO NOTHING
           RETURNING ${CONSENT_COLUMNS}`,
    values: [c.jobseekerId, c.clientId, c.fields, c.textsHash, c.durationDays],
  });
  return rows[0] as ConsentRow;
}

export async function updateConsentGrant(
  db: Queryable,
  id: string,
  c: { fields: string[]; textsHash: string; durationDays: number; renewed: boolean },
): Promise<ConsentRow> {
  const { rows } = await db.query<ConsentRow>({
    name: 'consent-update-grant',
    text: `UPDATE consents
              SET status = 'active', fields = $2, texts_hash = $3, revoked_at = NULL, updated_at = now(),
                  granted_at = CASE WHEN $5 THEN now() ELSE granted_at END,
                  expires_at = now() + make_interval(days => $4)
            WHERE id = $1
            RETURNING ${CONSENT_COLUMNS}`,
    values: [id, c.fields, c.textsHash, c.durationDays, c.renewed],
  });
  return rows[0] as ConsentRow;
}

export async function setConsentGrantId(db: Queryable, id: string, grantId: string): Promise<void> {
  await db.query({
    name: 'consent-set-grant-id',
    text: 'UPDATE consents SET grant_id = $2 WHERE id = $1',
    values: [id, grantId],
  });
}

// Returns false when this interaction already recorded its event (a double submission).
export async function insertConsentEvent(db: Queryable, e: NewConsentEvent): Promise<boolean> {
  const result = await db.query({
    name: 'consent-event-insert',
    text: `INSERT INTO consent_events (consent_id, jobseeker_id, client_id, kind, fields_added, fields_removed,
             fields_after, texts_hash, actor, request_id, interaction_uid)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (interaction_uid) WHERE interaction_uid IS NOT NULL DO NOTHING`,
    values: [
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
  });
  return result.rowCount === 1;
}
