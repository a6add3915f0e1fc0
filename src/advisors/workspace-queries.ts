import type { Queryable } from '../db/pool.ts';

/** Only the data scopes asked for (those of the mandate): nothing else of the profile is loaded. */
export async function findScopesOf(
  db: Queryable,
  jobseekerId: string,
  scopes: string[],
): Promise<Record<string, unknown>> {
  const { rows } = await db.query<{ data: Record<string, unknown> }>(
    `SELECT coalesce(jsonb_object_agg(scope, value), '{}') AS data
       FROM jobseeker_data WHERE jobseeker_id = $1 AND scope = ANY($2::text[])`,
    [jobseekerId, scopes],
  );
  return rows[0]?.data ?? {};
}

/** The name an advisor addresses the person by (their portfolio shows it already). */
export async function findName(
  db: Queryable,
  jobseekerId: string,
): Promise<{ given_name: string | null; family_name: string | null; login: string } | undefined> {
  const { rows } = await db.query<{ given_name: string | null; family_name: string | null; login: string }>(
    "SELECT claims->>'given_name' AS given_name, claims->>'family_name' AS family_name, login FROM jobseekers WHERE id = $1",
    [jobseekerId],
  );
  return rows[0];
}
