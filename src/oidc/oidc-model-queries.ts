import type { AdapterPayload } from 'oidc-provider';
import type { Queryable } from '../db/pool.ts';

type LookupColumn = 'id' | 'uid' | 'user_code';

export async function upsertModel(
  db: Queryable,
  model: string,
  id: string,
  payload: AdapterPayload,
  expiresInSeconds: number,
): Promise<void> {
  await db.query(
    `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
     ON CONFLICT (model, id) DO UPDATE
       SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, user_code = EXCLUDED.user_code,
           uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`,
    [
      model,
      id,
      payload,
      // A Grant row carries its own id, so that revoking everything of a grant removes it too.
      payload.grantId ?? (model === 'Grant' ? id : null),
      payload.userCode ?? null,
      payload.uid ?? null,
      Number.isFinite(expiresInSeconds) && expiresInSeconds > 0 ? Math.ceil(expiresInSeconds) : null,
    ],
  );
}

// Inserts a row unless one with this id exists (and is not expired); says whether it inserted.
export async function insertModelOnce(
  db: Queryable,
  model: string,
  id: string,
  payload: AdapterPayload,
  expiresInSeconds: number,
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO oidc_models (model, id, payload, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4::int))
     ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, expires_at = EXCLUDED.expires_at
       WHERE oidc_models.expires_at IS NOT NULL AND oidc_models.expires_at <= now()`,
    [model, id, payload, Math.max(1, Math.ceil(expiresInSeconds || 1))],
  );
  return result.rowCount === 1;
}

export async function findModel(
  db: Queryable,
  model: string,
  column: LookupColumn,
  value: string,
): Promise<AdapterPayload | undefined> {
  // column comes from a fixed union, never from input.
  const { rows } = await db.query<{ payload: AdapterPayload; consumed: number | null }>(
    `SELECT payload, extract(epoch FROM consumed_at)::bigint AS consumed
       FROM oidc_models
      WHERE model = $1 AND ${column} = $2 AND (expires_at IS NULL OR expires_at > now())`,
    [model, value],
  );
  const row = rows[0];
  if (!row) return undefined;
  return row.consumed === null ? row.payload : { ...row.payload, consumed: Number(row.consumed) };
}

export async function consumeModel(
  db: Queryable,
  model: string,
  id: string,
): Promise<{ consumed: boolean; grantId?: string }> {
  const updated = await db.query(
    'UPDATE oidc_models SET consumed_at = now() WHERE model = $1 AND id = $2 AND consumed_at IS NULL',
    [model, id],
  );
  if (updated.rowCount === 1) return { consumed: true };
  const { rows } = await db.query<{ grant_id: string | null }>(
    'SELECT grant_id FROM oidc_models WHERE model = $1 AND id = $2',
    [model, id],
  );
  return { consumed: false, grantId: rows[0]?.grant_id ?? undefined };
}

// Deletes one row and says whether this call was the one that deleted it.
export async function takeModel(db: Queryable, model: string, id: string): Promise<boolean> {
  const result = await db.query('DELETE FROM oidc_models WHERE model = $1 AND id = $2', [model, id]);
  return result.rowCount === 1;
}

export async function destroyModel(db: Queryable, model: string, id: string): Promise<void> {
  await db.query('DELETE FROM oidc_models WHERE model = $1 AND id = $2', [model, id]);
}

// Every artefact of a grant, the grant included: used on code replay and on consent withdrawal.
export async function destroyByGrantId(db: Queryable, grantId: string): Promise<void> {
  await db.query('DELETE FROM oidc_models WHERE grant_id = $1', [grantId]);
}

export async function destroyModelsByGrantId(db: Queryable, model: string, grantId: string): Promise<void> {
  await db.query('DELETE FROM oidc_models WHERE model = $1 AND grant_id = $2', [model, grantId]);
}

// Deletes at most `batch` expired rows; the caller loops with pauses so traffic is never blocked.
export async function purgeExpiredModels(db: Queryable, batch: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM oidc_models WHERE ctid IN (
       SELECT ctid FROM oidc_models WHERE expires_at < now() ORDER BY expires_at LIMIT $1
     )`,
    [batch],
  );
  return result.rowCount ?? 0;
}
