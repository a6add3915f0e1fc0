import type { Queryable } from '../db/pool.ts';

/** Which of these demo logins and this demo app the database holds (deleted apps aside). */
export async function findDemoSeed(
  db: Queryable,
  demoLogins: readonly string[],
  demoClientId: string,
): Promise<{ logins: string[]; client: boolean }> {
  const { rows } = await db.query<{ logins: string[]; client: boolean }>(
    `SELECT coalesce((SELECT array_agg(login ORDER BY login) FROM jobseekers WHERE login = ANY($1::text[])), '{}') AS logins,
            EXISTS (SELECT 1 FROM clients WHERE id = $2 AND deleted_at IS NULL) AS client`,
    [demoLogins, demoClientId],
  );
  return rows[0] as { logins: string[]; client: boolean };
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
