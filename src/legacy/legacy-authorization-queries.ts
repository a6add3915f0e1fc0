// The scope string of a Pôle emploi Connect authorization, as its app sent it, kept in oidc_models
// beside the grant's tokens (model 'LegacyAuthorization', one row per grant). The row carries the
// grant id and the app's clientId, so that what removes a grant's or an app's tokens
// (destroyByGrantId, client deletion) removes it too, and an expiry, so the purge job removes it.
import type { Queryable } from '../db/pool.ts';
import type { LegacyAuthorizations } from './legacy-authorization.ts';

const MODEL = 'LegacyAuthorization';

export async function upsertLegacyAuthorization(
  db: Queryable,
  o: { grantId: string; clientId: string; scope: string; expiresInSeconds: number },
): Promise<void> {
  await db.query({
    name: 'legacy-authorization-upsert',
    text: `INSERT INTO oidc_models (model, id, payload, grant_id, expires_at)
           VALUES ($1, $2, $3, $2, now() + make_interval(secs => $4::int))
           ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, expires_at = EXCLUDED.expires_at`,
    values: [
      MODEL,
      o.grantId,
      { clientId: o.clientId, scope: o.scope },
      Math.max(1, Math.ceil(o.expiresInSeconds)),
    ],
  });
}

export async function deleteLegacyAuthorization(db: Queryable, grantId: string): Promise<void> {
  await db.query({
    name: 'legacy-authorization-delete',
    text: 'DELETE FROM oidc_models WHERE model = $1 AND id = $2',
    values: [MODEL, grantId],
  });
}

/** The app's scope string for a grant's latest authorization, if that one was in its vocabulary. */
export async function findLegacyAuthorization(db: Queryable, grantId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ scope: unknown }>({
    name: 'legacy-authorization-find',
    text: `SELECT payload->'scope' AS scope FROM oidc_models
            WHERE model = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > now())`,
    values: [MODEL, grantId],
  });
  const scope = rows[0]?.scope;
  return typeof scope === 'string' ? scope : undefined;
}

/** The store legacy-protocol.ts reads and writes. */
export function legacyAuthorizations(db: Queryable): LegacyAuthorizations {
  return {
    record: (o) => upsertLegacyAuthorization(db, o),
    forget: (grantId) => deleteLegacyAuthorization(db, grantId),
    find: (grantId) => findLegacyAuthorization(db, grantId),
  };
}
