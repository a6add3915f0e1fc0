import { liveConsent } from '../consents/consent-queries.ts';
import type { Queryable } from '../db/pool.ts';
import type { Audience } from '../store/audience.ts';

export type ClientStatus = 'pending' | 'active' | 'suspended';

export interface ClientRow {
  id: string;
  name: string;
  description: string;
  operator_name: string;
  operator_siret: string | null;
  website: string | null;
  contact_email: string | null;
  logo_uri: string | null;
  policy_uri: string | null;
  tos_uri: string | null;
  secret_ciphertext: string | null;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: Date | null;
  /** null: either secret method (client-auth-methods.ts) */
  token_endpoint_auth_method: string | null;
  jwks_uri: string | null;
  jwks: { keys: unknown[] } | null;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  /** OpenID Connect Back-Channel Logout 1.0 (src/ssf/backchannel-logout.ts) */
  backchannel_logout_uri: string | null;
  scopes: string[];
  purposes: Record<string, string>;
  consent_duration_days: number | null;
  high_assurance: boolean;
  free_for_jobseekers: boolean;
  status: ClientStatus;
  /** Emploi Store listing (migration 095) */
  category: string | null;
  start_url: string | null;
  audience: Audience | null;
  audience_vetted: boolean;
  /** a sandbox client (id 'sandbox-…', migration 101): it reaches sandbox personas only */
  sandbox: boolean;
  registered_via: string;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

// The columns an admin edits (everything but identity, secrets, timestamps and deletion).
export const EDITABLE_COLUMNS = [
  'name',
  'description',
  'operator_name',
  'operator_siret',
  'website',
  'contact_email',
  'logo_uri',
  'policy_uri',
  'tos_uri',
  'token_endpoint_auth_method',
  'jwks_uri',
  'jwks',
  'redirect_uris',
  'post_logout_redirect_uris',
  'backchannel_logout_uri',
  'scopes',
  'purposes',
  'consent_duration_days',
  'high_assurance',
  'free_for_jobseekers',
  'status',
  'category',
  'start_url',
  'audience',
  'audience_vetted',
] as const;

export type EditableClient = Pick<ClientRow, (typeof EDITABLE_COLUMNS)[number]>;

/** A row's editable values: what the rules take back when a change names only some of them. */
export function editableValues(row: EditableClient): EditableClient {
  return Object.fromEntries(EDITABLE_COLUMNS.map((column) => [column, row[column]])) as EditableClient;
}

// Every column of ClientRow, for the statements that are prepared once per connection: with `*`, a
// column added by a migration while the server runs would make them fail ("cached plan must not change
// result type"); with a list, the server reads what its code knows until it is redeployed.
export const CLIENT_COLUMNS = [
  'id',
  ...EDITABLE_COLUMNS,
  'secret_ciphertext',
  'previous_secret_ciphertext',
  'previous_secret_expires_at',
  'registered_via',
  'sandbox',
  'created_at',
  'updated_at',
  'deleted_at',
] as const satisfies readonly (keyof ClientRow)[];
// A compile error here means a ClientRow field is missing from CLIENT_COLUMNS.
export const CLIENT_COLUMNS_COMPLETE: Exclude<keyof ClientRow, (typeof CLIENT_COLUMNS)[number]> extends never
  ? true
  : never = true;

const JSON_COLUMNS = new Set(['jwks', 'purposes', 'audience']);
const param = (column: string, value: unknown) =>
  JSON_COLUMNS.has(column) && value !== null && value !== undefined ? JSON.stringify(value) : value;

export async function insertClient(
  db: Queryable,
  row: EditableClient & { id: string; secret_ciphertext: string | null; registered_via: string },
): Promise<void> {
  const columns = ['id', 'secret_ciphertext', 'registered_via', ...EDITABLE_COLUMNS];
  const values = columns.map((c) => param(c, (row as unknown as Record<string, unknown>)[c] ?? null));
  await db.query(
    `INSERT INTO clients (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
    values,
  );
}

export async function updateClient(db: Queryable, id: string, row: EditableClient): Promise<void> {
  // Column names come from the fixed EDITABLE_COLUMNS list, never from input.
  const sets = EDITABLE_COLUMNS.map((c, i) => `${c} = $${i + 2}`).join(', ');
  await db.query(`UPDATE clients SET ${sets}, updated_at = now() WHERE id = $1`, [
    id,
    ...EDITABLE_COLUMNS.map((c) => param(c, row[c])),
  ]);
}

export async function setClientSecret(
  db: Queryable,
  id: string,
  secret: { current: string; previous: string | null; previousExpiresAt: Date | null },
): Promise<void> {
  await db.query(
    `UPDATE clients SET secret_ciphertext = $2, previous_secret_ciphertext = $3, previous_secret_expires_at = $4,
            updated_at = now() WHERE id = $1`,
    [id, secret.current, secret.previous, secret.previousExpiresAt],
  );
}

export async function markClientDeleted(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE clients SET deleted_at = now(), status = 'suspended', secret_ciphertext = NULL,
            previous_secret_ciphertext = NULL, updated_at = now() WHERE id = $1`,
    [id],
  );
}

export async function findClient(db: Queryable, id: string): Promise<ClientRow | undefined> {
  // Named: read on every protocol request (see CLIENT_COLUMNS).
  const { rows } = await db.query<ClientRow>({
    name: 'client-find',
    text: `SELECT ${CLIENT_COLUMNS.join(', ')} FROM clients WHERE id = $1 AND deleted_at IS NULL`,
    values: [id],
  });
  return rows[0];
}

/** Whether an id was ever given, a deleted app's included: an id is never handed to another app. */
export async function clientIdTaken(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM clients WHERE id = $1', [id]);
  return (rowCount ?? 0) > 0;
}

export async function lockClient(db: Queryable, id: string): Promise<ClientRow | undefined> {
  const { rows } = await db.query<ClientRow>(
    'SELECT * FROM clients WHERE id = $1 AND deleted_at IS NULL FOR UPDATE',
    [id],
  );
  return rows[0];
}

export interface ClientListRow extends ClientRow {
  active_consents: number;
  last_activity: Date | null;
}

export async function listClients(db: Queryable, accessLogRetentionDays: number): Promise<ClientListRow[]> {
  // The access log's months within the retention only (its partition key, migration 082).
  const { rows } = await db.query<ClientListRow>(
    `SELECT c.*,
            (SELECT count(*)::int FROM consents k
              WHERE k.client_id = c.id AND ${liveConsent('k')}) AS active_consents,
            (SELECT max(read_at) FROM access_log a
              WHERE a.client_id = c.id AND a.read_at > now() - make_interval(days => $1)) AS last_activity
       FROM clients c WHERE c.deleted_at IS NULL ORDER BY c.created_at DESC`,
    [accessLogRetentionDays],
  );
  return rows;
}

// Every token and code of the app, whatever the grant; the grants themselves stay (suspension).
export async function destroyClientTokens(db: Queryable, clientId: string): Promise<void> {
  await db.query("DELETE FROM oidc_models WHERE payload->>'clientId' = $1 AND model <> 'Grant'", [clientId]);
}

export async function destroyClientArtifacts(db: Queryable, clientId: string): Promise<void> {
  // Every token, code and grant of the app, whatever the grant: payloads carry the client id.
  await db.query("DELETE FROM oidc_models WHERE payload->>'clientId' = $1", [clientId]);
}
