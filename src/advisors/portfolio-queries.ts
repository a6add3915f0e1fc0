import type { Queryable } from '../db/pool.ts';

export interface ResolvedLine {
  n: number;
  advisor_id: string | null;
  advisor_disabled: boolean;
  jobseeker_id: string | null;
}

// The ids behind a batch of import lines (advisor by email, jobseeker by normalised login), in one
// round trip; null where one is unknown.
export async function resolveAssignments(
  db: Queryable,
  lines: { n: number; advisor: string; login: string }[],
): Promise<ResolvedLine[]> {
  const { rows } = await db.query<ResolvedLine>(
    `SELECT l.n, a.id AS advisor_id, a.disabled_at IS NOT NULL AS advisor_disabled, j.id AS jobseeker_id
       FROM unnest($1::int[], $2::text[], $3::text[]) AS l (n, advisor, login)
       LEFT JOIN advisors a ON lower(a.email) = lower(l.advisor)
       LEFT JOIN jobseekers j ON j.login = l.login
      ORDER BY l.n`,
    [lines.map((l) => l.n), lines.map((l) => l.advisor), lines.map((l) => l.login)],
  );
  return rows;
}

// Assigns each jobseeker to their advisor (one row per jobseeker, distinct within the call); returns
// those whose advisor changed, with the previous one (null for a first assignment). A line that
// repeats the current assignment changes nothing: the import is idempotent.
export async function upsertAssignments(
  db: Queryable,
  pairs: { jobseekerId: string; advisorId: string }[],
): Promise<{ jobseeker_id: string; previous: string | null }[]> {
  const { rows } = await db.query<{ jobseeker_id: string; previous: string | null }>(
    `WITH wanted AS (
       SELECT * FROM unnest($1::uuid[], $2::uuid[]) AS w (jobseeker_id, advisor_id)
     ), before AS (
       SELECT s.jobseeker_id, s.advisor_id FROM advisor_assignments s
         JOIN wanted w USING (jobseeker_id)
     ), upserted AS (
       INSERT INTO advisor_assignments AS s (jobseeker_id, advisor_id)
       SELECT jobseeker_id, advisor_id FROM wanted
       ON CONFLICT (jobseeker_id) DO UPDATE
         SET advisor_id = EXCLUDED.advisor_id, assigned_at = now(), last_contact_at = NULL
         WHERE s.advisor_id <> EXCLUDED.advisor_id
       RETURNING s.jobseeker_id
     )
     SELECT u.jobseeker_id, b.advisor_id AS previous FROM upserted u LEFT JOIN before b USING (jobseeker_id)`,
    [pairs.map((p) => p.jobseekerId), pairs.map((p) => p.advisorId)],
  );
  return rows;
}

export interface PortfolioRow {
  jobseeker_id: string;
  given_name: string | null;
  family_name: string | null;
  login: string;
  assigned_at: Date;
  last_contact_at: Date | null;
  mandate_status: 'active' | 'revoked' | 'expired' | null;
  mandate_expires_at: Date | null;
  open_steps: number;
  overdue_steps: number;
}

// One advisor's portfolio: only the jobseekers assigned to them, with the state of the mandate given
// to them (not to anyone else), and their open actions. Names only: a portfolio shows no profile data.
export async function listPortfolio(db: Queryable, advisorId: string): Promise<PortfolioRow[]> {
  const { rows } = await db.query<PortfolioRow>(
    `SELECT s.jobseeker_id, j.claims->>'given_name' AS given_name, j.claims->>'family_name' AS family_name,
            j.login, s.assigned_at, s.last_contact_at,
            CASE WHEN c.status = 'active' AND c.expires_at <= now() THEN 'expired' ELSE c.status END AS mandate_status,
            c.expires_at AS mandate_expires_at,
            (SELECT count(*)::int FROM action_plan_steps p WHERE p.jobseeker_id = s.jobseeker_id AND p.state = 'todo') AS open_steps,
            (SELECT count(*)::int FROM action_plan_steps p WHERE p.jobseeker_id = s.jobseeker_id AND p.state = 'todo'
                AND p.due_on < current_date) AS overdue_steps
       FROM advisor_assignments s
       JOIN jobseekers j ON j.id = s.jobseeker_id
       LEFT JOIN consents c ON c.jobseeker_id = s.jobseeker_id AND c.advisor_id = s.advisor_id
      WHERE s.advisor_id = $1
      ORDER BY lower(j.claims->>'family_name'), lower(j.claims->>'given_name'), j.login`,
    [advisorId],
  );
  return rows;
}

/** The jobseeker's advisor, if any (for /account). */
export async function findAssignedAdvisor(
  db: Queryable,
  jobseekerId: string,
): Promise<
  { advisor_id: string; display_name: string; agency: string; email: string; assigned_at: Date } | undefined
> {
  const { rows } = await db.query<{
    advisor_id: string;
    display_name: string;
    agency: string;
    email: string;
    assigned_at: Date;
  }>(
    `SELECT a.id AS advisor_id, a.display_name, a.agency, a.email, s.assigned_at
       FROM advisor_assignments s JOIN advisors a ON a.id = s.advisor_id
      WHERE s.jobseeker_id = $1 AND a.disabled_at IS NULL`,
    [jobseekerId],
  );
  return rows[0];
}

/** Is this jobseeker in this advisor's portfolio? Every advisor page asks, at each request. */
export async function isAssigned(db: Queryable, advisorId: string, jobseekerId: string): Promise<boolean> {
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(jobseekerId)) return false;
  const { rowCount } = await db.query(
    'SELECT 1 FROM advisor_assignments WHERE advisor_id = $1 AND jobseeker_id = $2',
    [advisorId, jobseekerId],
  );
  return rowCount === 1;
}

export async function touchContact(db: Queryable, advisorId: string, jobseekerId: string): Promise<void> {
  await db.query(
    'UPDATE advisor_assignments SET last_contact_at = now() WHERE advisor_id = $1 AND jobseeker_id = $2',
    [advisorId, jobseekerId],
  );
}
