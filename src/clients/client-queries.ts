import type { Queryable } from '../db/pool.ts';

export type ClientStatus = 'pending' | 'active' | 'suspended';

export interface ClientRow {
  id: string;
  name: string;
  description: string;
  operator_name: string;
  website: string | null;
  secret_ciphertext: string | null;
  token_endpoint_auth_method: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  scopes: string[];
  purposes: Record<string, string>;
  consent_duration_days: number | null;
  status: ClientStatus;
  created_at: Date;
  updated_at: Date;
}

export type NewClientRow = Omit<ClientRow, 'created_at' | 'updated_at'>;

export async function insertClient(db: Queryable, row: NewClientRow): Promise<void> {
  await db.query(
    `INSERT INTO clients (id, name, description, operator_name, website, secret_ciphertext,
       token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, scopes, purposes,
       consent_duration_days, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      row.id,
      row.name,
      row.description,
      row.operator_name,
      row.website,
      row.secret_ciphertext,
      row.token_endpoint_auth_method,
      row.redirect_uris,
      row.post_logout_redirect_uris,
      row.scopes,
      row.purposes,
      row.consent_duration_days,
      row.status,
    ],
  );
}

export async function findClient(db: Queryable, id: string): Promise<ClientRow | undefined> {
  const { rows } = await db.query<ClientRow>('SELECT * FROM clients WHERE id = $1', [id]);
  return rows[0];
}

export async function findClientByName(db: Queryable, name: string): Promise<ClientRow | undefined> {
  const { rows } = await db.query<ClientRow>(
    'SELECT * FROM clients WHERE name = $1 ORDER BY created_at LIMIT 1',
    [name],
  );
  return rows[0];
}
