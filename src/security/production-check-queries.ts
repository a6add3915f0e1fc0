import type { Queryable } from '../db/pool.ts';

/** Which of these demo logins, demo apps and demo advisors the database holds (deleted apps aside). */
export async function findDemoSeed(
  db: Queryable,
  demoLogins: readonly string[],
  demoClientIds: readonly string[],
  demoAdvisorEmails: readonly string[] = [],
): Promise<{ logins: string[]; clients: string[]; advisors: string[] }> {
  const { rows } = await db.query<{ logins: string[]; clients: string[]; advisors: string[] }>(
    `SELECT coalesce((SELECT array_agg(login ORDER BY login) FROM jobseekers WHERE login = ANY($1::text[])), '{}') AS logins,
            coalesce((SELECT array_agg(id ORDER BY id) FROM clients WHERE id = ANY($2::text[]) AND deleted_at IS NULL), '{}') AS clients,
            coalesce((SELECT array_agg(email ORDER BY email) FROM advisors WHERE email = ANY($3::text[])), '{}') AS advisors`,
    [demoLogins, demoClientIds, demoAdvisorEmails],
  );
  return rows[0] as { logins: string[]; clients: string[]; advisors: string[] };
}

export interface ActiveClientUris {
  id: string;
  name: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
}

export async function listActiveClientUris(db: Queryable): Promise<ActiveClientUris[]> {
  const { rows } = await db.query<ActiveClientUris>(
    `SELECT id, name, redirect_uris, post_logout_redirect_uris FROM clients
      WHERE status = 'active' AND deleted_at IS NULL ORDER BY id`,
  );
  return rows;
}
