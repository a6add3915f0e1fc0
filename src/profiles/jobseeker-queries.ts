import type { Queryable } from '../db/pool.ts';

export interface JobseekerRow {
  id: string;
  login: string;
  password_hash: string;
  claims: Record<string, unknown>;
  disabled_at: Date | null;
}

export async function findJobseekerById(db: Queryable, id: string): Promise<JobseekerRow | undefined> {
  // Ids come from tokens and sessions; a malformed one is simply unknown, not a database error.
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(id)) return undefined;
  const { rows } = await db.query<JobseekerRow>(
    'SELECT id, login, password_hash, claims, disabled_at FROM jobseekers WHERE id = $1',
    [id],
  );
  return rows[0];
}

/** The jobseeker and the fields of their live consent to `clientId` (null without one), in one round
 * trip: what oidc-provider's findAccount and the claims of an ID token or userinfo answer need. */
export async function findJobseekerWithConsent(
  db: Queryable,
  id: string,
  clientId: string | undefined,
): Promise<(JobseekerRow & { consent_fields: string[] | null }) | undefined> {
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(id)) return undefined;
  const { rows } = await db.query<JobseekerRow & { consent_fields: string[] | null }>({
    name: 'jobseeker-with-consent',
    text: `SELECT j.id, j.login, j.password_hash, j.claims, j.disabled_at, to_json(c.fields) AS consent_fields
             FROM jobseekers j
             LEFT JOIN consents c
                    ON c.jobseeker_id = j.id AND c.client_id = $2
                   AND c.status = 'active' AND c.expires_at > now()
            WHERE j.id = $1`,
    values: [id, clientId ?? null],
  });
  return rows[0];
}

export async function findJobseekerByLogin(db: Queryable, login: string): Promise<JobseekerRow | undefined> {
  const { rows } = await db.query<JobseekerRow>(
    'SELECT id, login, password_hash, claims, disabled_at FROM jobseekers WHERE login = $1',
    [login],
  );
  return rows[0];
}

export async function findJobseekerData(db: Queryable, jobseekerId: string, scope: string): Promise<unknown> {
  const { rows } = await db.query<{ value: unknown }>(
    'SELECT value FROM jobseeker_data WHERE jobseeker_id = $1 AND scope = $2',
    [jobseekerId, scope],
  );
  return rows[0]?.value;
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

// Idempotent on login: a second import of the same line updates in place.
export async function upsertJobseeker(
  db: Queryable,
  row: { login: string; passwordHash: string; claims: Record<string, unknown> },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO jobseekers (login, password_hash, claims) VALUES ($1, $2, $3)
     ON CONFLICT (login) DO UPDATE
       SET password_hash = EXCLUDED.password_hash, claims = EXCLUDED.claims, updated_at = now()
     RETURNING id`,
    [row.login, row.passwordHash, row.claims],
  );
  return (rows[0] as { id: string }).id;
}

export async function replaceJobseekerData(
  db: Queryable,
  jobseekerId: string,
  data: Record<string, unknown>,
): Promise<void> {
  const scopes = Object.keys(data);
  await db.query('DELETE FROM jobseeker_data WHERE jobseeker_id = $1 AND NOT (scope = ANY($2))', [
    jobseekerId,
    scopes,
  ]);
  if (!scopes.length) return;
  await db.query(
    `INSERT INTO jobseeker_data (jobseeker_id, scope, value)
     SELECT $1, s.scope, s.value FROM jsonb_each($2::jsonb) AS s(scope, value)
     ON CONFLICT (jobseeker_id, scope) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [jobseekerId, JSON.stringify(data)],
  );
}
