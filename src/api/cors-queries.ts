import type { Queryable } from '../db/pool.ts';

/** The redirect URIs of every active public client (browser and native apps), for CORS preflights. */
export async function publicClientRedirectUris(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ uri: string }>(
    `SELECT DISTINCT unnest(redirect_uris) AS uri FROM clients
      WHERE token_endpoint_auth_method = 'none' AND status = 'active' AND deleted_at IS NULL`,
  );
  return rows.map((r) => r.uri);
}
