import type { AdapterPayload } from 'oidc-provider';
import { CLIENT_COLUMNS, type ClientRow } from '../clients/client-queries.ts';
import { purgeExpiredRows } from '../db/expired-rows.ts';
import type { Queryable } from '../db/pool.ts';
import {
  TOKEN_CLIENT_ID_SQL,
  TOKEN_GRANT_AND_SESSION_JOINS,
  TOKEN_SESSION_BOUND_SQL,
} from './stored-token-reader.ts';

// The statements of every protocol request are named: PostgreSQL then parses and plans each once per
// connection instead of on every call (docs/PERFORMANCE.md).
// Every `id` here is the row's key as stored: for tokens, codes, sessions and interactions, the hash
// of the value oidc-provider knows (hashed-ids.ts storedId); the adapter computes it.

type LookupColumn = 'id' | 'uid' | 'user_code';

export async function upsertModel(
  db: Queryable,
  model: string,
  id: string,
  payload: AdapterPayload,
  expiresInSeconds: number,
): Promise<void> {
  await db.query({
    name: 'oidc-upsert',
    text: `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
     ON CONFLICT (model, id) DO UPDATE
       SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, user_code = EXCLUDED.user_code,
           uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`,
    values: [
      model,
      id,
      payload,
      // A Grant row carries its own id, so that revoking everything of a grant removes it too.
      payload.grantId ?? (model === 'Grant' ? id : null),
      payload.userCode ?? null,
      payload.uid ?? null,
      Number.isFinite(expiresInSeconds) && expiresInSeconds > 0 ? Math.ceil(expiresInSeconds) : null,
    ],
  });
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
  const { rows } = await db.query<{ payload: AdapterPayload; consumed: number | null }>({
    name: `oidc-find-by-${column}`,
    text: `SELECT payload, extract(epoch FROM consumed_at)::bigint AS consumed
             FROM oidc_models
            WHERE model = $1 AND ${column} = $2 AND (expires_at IS NULL OR expires_at > now())`,
    values: [model, value],
  });
  const row = rows[0];
  if (!row) return undefined;
  return row.consumed === null ? row.payload : { ...row.payload, consumed: Number(row.consumed) };
}

export interface TokenWithRelated {
  payload: AdapterPayload;
  /** the grant the token names, null when it does not exist (or has expired) */
  grant: AdapterPayload | null;
  /** the session a token that ends with it is bound to; undefined when the token is not bound */
  session: AdapterPayload | null | undefined;
  /** the app's row (active or not), null when it does not exist, undefined when not asked for */
  client: ClientRow | null | undefined;
}

// A token with the rows oidc-provider looks up next (see request-prefetch.ts), in one statement; the
// joins and the payload fields they read are stored-token-reader.ts's. The app's row comes as one
// JSON column: pg then describes and parses one field instead of 35 on every execution, and JSON.parse
// reads the arrays far faster than pg's text[] parser (the token statement runs on every userinfo,
// refresh and introspection request). The columns are still listed, so that a migration adding one
// cannot change the prepared statement's result (json_build_object takes at most 100 arguments: 50
// columns).
const CLIENT_DATE_COLUMNS = [
  'previous_secret_expires_at',
  'created_at',
  'updated_at',
  'deleted_at',
] as const satisfies readonly (keyof ClientRow)[];

// The row as the other client queries return it: timestamps as Dates (JSON has them as ISO strings).
function clientFromJson(json: Record<string, unknown>): ClientRow {
  for (const column of CLIENT_DATE_COLUMNS) {
    const value = json[column];
    if (typeof value === 'string') json[column] = new Date(value);
  }
  return json as unknown as ClientRow;
}

/** $1: the model, $2: the token's stored id (its hash), $3: whether to read the app's row too. */
export const TOKEN_WITH_RELATED_SQL = `WITH t AS (
             SELECT payload, consumed_at FROM oidc_models
              WHERE model = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > now())
           )
           SELECT t.payload AS token_payload,
                  extract(epoch FROM t.consumed_at)::bigint AS token_consumed,
                  g.payload AS grant_payload,
                  ${TOKEN_SESSION_BOUND_SQL} AS session_bound,
                  s.payload AS session_payload,
                  CASE WHEN c.id IS NOT NULL THEN json_build_object(${CLIENT_COLUMNS.map((column) => `'${column}', c.${column}`).join(', ')}) END AS client_row
             FROM t
             ${TOKEN_GRANT_AND_SESSION_JOINS}
             LEFT JOIN clients c ON $3 AND c.id = ${TOKEN_CLIENT_ID_SQL} AND c.deleted_at IS NULL`;

export async function findTokenWithRelated(
  db: Queryable,
  model: string,
  id: string,
  /** false where the app has already been read (the token endpoint authenticates it first) */
  withClient: boolean,
): Promise<TokenWithRelated | undefined> {
  const { rows } = await db.query<Record<string, unknown>>({
    name: 'oidc-find-token-with-related',
    text: TOKEN_WITH_RELATED_SQL,
    values: [model, id, withClient],
  });
  const row = rows[0];
  if (!row) return undefined;
  const payload = row.token_payload as AdapterPayload;
  const client = row.client_row as Record<string, unknown> | null;
  return {
    payload: row.token_consumed === null ? payload : { ...payload, consumed: Number(row.token_consumed) },
    grant: (row.grant_payload as AdapterPayload | null) ?? null,
    session: row.session_bound ? ((row.session_payload as AdapterPayload | null) ?? null) : undefined,
    client: !withClient ? undefined : client ? clientFromJson(client) : null,
  };
}

export async function consumeModel(
  db: Queryable,
  model: string,
  id: string,
): Promise<{ consumed: boolean; grantId?: string }> {
  const updated = await db.query({
    name: 'oidc-consume',
    text: 'UPDATE oidc_models SET consumed_at = now() WHERE model = $1 AND id = $2 AND consumed_at IS NULL',
    values: [model, id],
  });
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
  await db.query({
    name: 'oidc-destroy',
    text: 'DELETE FROM oidc_models WHERE model = $1 AND id = $2',
    values: [model, id],
  });
}

// Every artefact of a grant, the grant included: used on code replay and on consent withdrawal.
export async function destroyByGrantId(db: Queryable, grantId: string): Promise<void> {
  await db.query('DELETE FROM oidc_models WHERE grant_id = $1', [grantId]);
}

/**
 * Every Grant of one (jobseeker, app) pair and everything issued under them, but `keep` (the Grant the
 * consent names, when the pair keeps one). A consent names one Grant (consents.grant_id), yet two first
 * authorizations racing can each have built one and issued tokens from it (consent-grant.ts): a
 * withdrawal, an expiry or a narrowing goes by the pair, so that no token of either survives it.
 * The Grants are found along oidc_models_grant_pair_idx (migration 120), their rows by grant_id (a
 * Grant row carries its own id there, see upsertModel).
 */
export async function destroyPairGrants(
  db: Queryable,
  accountId: string,
  clientId: string,
  keep: string | null = null,
): Promise<void> {
  await db.query({
    name: 'oidc-destroy-pair-grants',
    text: `DELETE FROM oidc_models
            WHERE grant_id IS NOT NULL
              AND grant_id IN (SELECT id FROM oidc_models
                                WHERE model = 'Grant' AND (payload ->> 'accountId') = $1
                                  AND (payload ->> 'clientId') = $2 AND id IS DISTINCT FROM $3)`,
    values: [accountId, clientId, keep],
  });
}

export async function destroyModelsByGrantId(db: Queryable, model: string, grantId: string): Promise<void> {
  await db.query('DELETE FROM oidc_models WHERE model = $1 AND grant_id = $2', [model, grantId]);
}

export const purgeExpiredModels = (db: Queryable, batch: number): Promise<number> =>
  purgeExpiredRows(db, 'oidc_models', batch);
