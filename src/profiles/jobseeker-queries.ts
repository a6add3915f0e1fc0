import { joinLiveConsent } from '../consents/consent-queries.ts';
import type { Queryable } from '../db/pool.ts';

export interface JobseekerRow {
  id: string;
  login: string;
  password_hash: string;
  claims: Record<string, unknown>;
  disabled_at: Date | null;
  /** a sandbox persona (migration 101): the sandbox gate reads it here, without a statement of its own */
  sandbox: boolean;
}

export async function findJobseekerById(db: Queryable, id: string): Promise<JobseekerRow | undefined> {
  // Ids come from tokens and sessions; a malformed one is simply unknown, not a database error.
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(id)) return undefined;
  const { rows } = await db.query<JobseekerRow>(
    'SELECT id, login, password_hash, claims, disabled_at, sandbox FROM jobseekers WHERE id = $1',
    [id],
  );
  return rows[0];
}

/** The jobseeker $1 with `columns` of j (the jobseeker) and c (their live consent to the app $2, all
 * NULL without one). */
export const jobseekerWithLiveConsentSql = (columns: string) => `SELECT ${columns}
             FROM jobseekers j
             ${joinLiveConsent('c', 'j.id', '$2')}
            WHERE j.id = $1`;

/** Runs one of those as a statement prepared once per connection, under `name`. */
export async function findWithLiveConsent<T extends object>(
  db: Queryable,
  statement: { name: string; text: string },
  id: string,
  clientId: string | null,
): Promise<T | undefined> {
  // Ids come from tokens and sessions; a malformed one is simply unknown, not a database error.
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(id)) return undefined;
  const { rows } = await db.query<T>({ ...statement, values: [id, clientId] });
  return rows[0];
}

/** $1: the jobseeker, $2: the app (or null). */
export const JOBSEEKER_WITH_CONSENT_SQL = jobseekerWithLiveConsentSql(
  'j.id, j.login, j.password_hash, j.claims, j.disabled_at, j.sandbox, to_json(c.fields) AS consent_fields',
);

/** The jobseeker and the fields of their live consent to `clientId` (null without one), in one round
 * trip: what oidc-provider's findAccount and the claims of an ID token or userinfo answer need. */
export const findJobseekerWithConsent = (db: Queryable, id: string, clientId: string | undefined) =>
  findWithLiveConsent<JobseekerRow & { consent_fields: string[] | null }>(
    db,
    { name: 'jobseeker-with-consent', text: JOBSEEKER_WITH_CONSENT_SQL },
    id,
    clientId ?? null,
  );

export async function findJobseekerByLogin(db: Queryable, login: string): Promise<JobseekerRow | undefined> {
  const { rows } = await db.query<JobseekerRow>(
    'SELECT id, login, password_hash, claims, disabled_at, sandbox FROM jobseekers WHERE login = $1',
    [login],
  );
  return rows[0];
}

export async function findAllJobseekerData(
  db: Queryable,
  jobseekerId: string,
): Promise<Record<string, unknown>> {
  const { rows } = await db.query<{ scope: string; value: unknown }>(
    'SELECT scope, value FROM jobseeker_data WHERE jobseeker_id = $1',
    [jobseekerId],
  );
  return Object.fromEntries(rows.map((r) => [r.scope, r.value]));
}

export interface JobseekerToSave {
  /** normalised (login-normalisation.ts) */
  login: string;
  /** as written in the import line */
  givenLogin: string;
  passwordHash: string;
  claims: Record<string, unknown>;
}

// The batch statements below take their rows as one JSON document (jsonb_to_recordset): measured
// faster than parallel arrays (unnest of jsonb[]), whose elements are JSON quoted once more.

/**
 * Inserts or updates many jobseekers in one statement, idempotent on login: a second import of the
 * same line updates in place. A line whose login becomes an existing, differently written login only
 * once normalised (" Marie.Dupont " for "marie.dupont") changes nothing and is not returned: the
 * caller reports it. The logins given at creation are kept in imported_login for that check. The logins must be distinct, since ON CONFLICT DO UPDATE cannot change
 * one row twice in a statement. Rows are written in login order, so that two imports running at once
 * lock the rows they share in the same order instead of deadlocking. `created` is true for a new
 * jobseeker (xmax = 0: no transaction has locked or updated that row version, which an update by ON
 * CONFLICT always does), so that its data need no deletion.
 */
export async function upsertJobseekers(
  db: Queryable,
  jobseekers: readonly JobseekerToSave[],
): Promise<{ id: string; login: string; created: boolean }[]> {
  const { rows } = await db.query<{ id: string; login: string; created: boolean }>(
    `INSERT INTO jobseekers (login, imported_login, password_hash, claims)
     SELECT login, given_login, password_hash, claims
       FROM jsonb_to_recordset($1::jsonb) AS j(login text, given_login text, password_hash text, claims jsonb)
      ORDER BY login
     ON CONFLICT (login) DO UPDATE
       SET password_hash = EXCLUDED.password_hash, claims = EXCLUDED.claims, updated_at = now()
       WHERE EXCLUDED.imported_login IN (jobseekers.login, jobseekers.imported_login)
     RETURNING id, login, xmax = 0 AS created`,
    [
      JSON.stringify(
        jobseekers.map((j) => ({
          login: j.login,
          given_login: j.givenLogin,
          password_hash: j.passwordHash,
          claims: j.claims,
        })),
      ),
    ],
  );
  return rows;
}

/**
 * Replaces the data scopes of many jobseekers: each ends with exactly the scopes given for it. The
 * data of a jobseeker just created (`created`) has nothing to delete: skipping them spares the
 * DELETE an index probe per jobseeker on a first import.
 */
export async function replaceJobseekersData(
  db: Queryable,
  entries: readonly { jobseekerId: string; created: boolean; data: Record<string, unknown> }[],
): Promise<void> {
  const existing = entries.filter((e) => !e.created).map((e) => e.jobseekerId);
  if (existing.length)
    await db.query('DELETE FROM jobseeker_data WHERE jobseeker_id = ANY($1::uuid[])', [existing]);
  await db.query(
    `INSERT INTO jobseeker_data (jobseeker_id, scope, value)
     SELECT j.jobseeker_id, d.key, d.value
       FROM jsonb_to_recordset($1::jsonb) AS j(jobseeker_id uuid, data jsonb), jsonb_each(j.data) AS d`,
    [JSON.stringify(entries.map((e) => ({ jobseeker_id: e.jobseekerId, data: e.data })))],
  );
}

export async function analyzeJobseekerTables(db: Queryable): Promise<void> {
  await db.query('ANALYZE jobseekers, jobseeker_data');
}
