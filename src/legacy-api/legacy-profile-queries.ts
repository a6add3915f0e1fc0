import type { Queryable } from '../db/pool.ts';

export interface LegacyProfileRow {
  claims: Record<string, unknown>;
  updated_at: Date;
  disabled_at: Date | null;
}

/** The OIDC claims the legacy APIs made of them read (userinfo, coordonnees, etat-civil). */
export async function findLegacyProfile(
  db: Queryable,
  jobseekerId: string,
): Promise<LegacyProfileRow | undefined> {
  const { rows } = await db.query<LegacyProfileRow>({
    name: 'legacy-profile',
    text: 'SELECT claims, updated_at, disabled_at FROM jobseekers WHERE id = $1',
    values: [jobseekerId],
  });
  return rows[0];
}
