import type { Queryable } from '../db/pool.ts';

export interface DeveloperAccountRow {
  id: string;
  email: string;
  password_hash: string;
  organisation_id: string;
  organisation_name: string;
  organisation_siret: string | null;
  verified_at: Date | null;
  disabled_at: Date | null;
}

const SELECT_ACCOUNT = `SELECT a.id, a.email, a.password_hash, a.organisation_id, o.name AS organisation_name,
                               o.siret AS organisation_siret, a.verified_at, a.disabled_at
                          FROM developer_accounts a JOIN developer_organisations o ON o.id = a.organisation_id`;

const UUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

export async function findDeveloperById(db: Queryable, id: string): Promise<DeveloperAccountRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await db.query<DeveloperAccountRow>(`${SELECT_ACCOUNT} WHERE a.id = $1`, [id]);
  return rows[0];
}

export async function findDeveloperByEmail(
  db: Queryable,
  email: string,
): Promise<DeveloperAccountRow | undefined> {
  const { rows } = await db.query<DeveloperAccountRow>(`${SELECT_ACCOUNT} WHERE lower(a.email) = lower($1)`, [
    email,
  ]);
  return rows[0];
}

/** A new account and its own organisation (in the caller's transaction). */
export async function insertDeveloper(
  db: Queryable,
  account: { email: string; passwordHash: string; organisationName: string; siret: string | null },
): Promise<string> {
  const org = await db.query<{ id: string }>(
    'INSERT INTO developer_organisations (name, siret) VALUES ($1, $2) RETURNING id',
    [account.organisationName, account.siret],
  );
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO developer_accounts (email, password_hash, organisation_id) VALUES ($1, $2, $3) RETURNING id',
    [account.email, account.passwordHash, org.rows[0]?.id],
  );
  return rows[0]?.id as string;
}

export async function insertEmailToken(
  db: Queryable,
  accountId: string,
  tokenHash: string,
  ttlHours: number,
  purpose: 'verify' | 'reset' = 'verify',
): Promise<void> {
  await db.query(
    `INSERT INTO developer_email_tokens (token_hash, account_id, expires_at, purpose)
     VALUES ($1, $2, now() + make_interval(hours => $3), $4)`,
    [tokenHash, accountId, ttlHours, purpose],
  );
}

/**
 * Uses a password-reset token once: the account gets the new hash (and counts as verified: the link
 * reached its address), and every session it had ends. Undefined when the link is not valid.
 */
export async function useResetToken(
  db: Queryable,
  tokenHash: string,
  passwordHash: string,
): Promise<string | undefined> {
  const accountId = await useToken(db, tokenHash, 'reset');
  if (!accountId) return undefined;
  await db.query(
    `UPDATE developer_accounts SET password_hash = $2, verified_at = coalesce(verified_at, now())
      WHERE id = $1 AND disabled_at IS NULL`,
    [accountId, passwordHash],
  );
  await db.query("DELETE FROM web_sessions WHERE data->>'developerId' = $1", [accountId]);
  return accountId;
}

/** Whether a reset link is still usable (the form is shown only for one). */
export async function resetTokenUsable(db: Queryable, tokenHash: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `SELECT 1 FROM developer_email_tokens
      WHERE token_hash = $1 AND purpose = 'reset' AND used_at IS NULL AND expires_at > now()`,
    [tokenHash],
  );
  return (rowCount ?? 0) > 0;
}

/** Uses a verification token once: the account it verifies, or undefined (unknown, used, expired). */
export async function useEmailToken(db: Queryable, tokenHash: string): Promise<string | undefined> {
  const accountId = await useToken(db, tokenHash, 'verify');
  if (accountId)
    await db.query('UPDATE developer_accounts SET verified_at = coalesce(verified_at, now()) WHERE id = $1', [
      accountId,
    ]);
  return accountId;
}

export interface DeveloperListRow {
  id: string;
  email: string;
  organisation_name: string;
  verified_at: Date | null;
  disabled_at: Date | null;
  created_at: Date;
  apps: number;
}

/** Every developer account for the admins, newest first, with the number of apps it is on. */
export async function listDevelopers(db: Queryable): Promise<DeveloperListRow[]> {
  const { rows } = await db.query<DeveloperListRow>(
    `SELECT a.id, a.email, o.name AS organisation_name, a.verified_at, a.disabled_at, a.created_at,
            (SELECT count(*)::int FROM developer_app_members m WHERE m.account_id = a.id) AS apps
       FROM developer_accounts a JOIN developer_organisations o ON o.id = a.organisation_id
      ORDER BY a.created_at DESC LIMIT 500`,
  );
  return rows;
}

/** Disables (or enables again) an account; false when it does not exist. */
export async function setDeveloperDisabled(db: Queryable, id: string, disabled: boolean): Promise<boolean> {
  if (!UUID.test(id)) return false;
  const { rowCount } = await db.query(
    `UPDATE developer_accounts SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END WHERE id = $1`,
    [id, disabled],
  );
  return (rowCount ?? 0) > 0;
}

/** Marks a valid (unused, unexpired) token of that purpose used: the account it was for, or undefined. */
async function useToken(db: Queryable, tokenHash: string, purpose: 'verify' | 'reset') {
  const { rows } = await db.query<{ account_id: string }>(
    `UPDATE developer_email_tokens SET used_at = now()
      WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
      RETURNING account_id`,
    [tokenHash, purpose],
  );
  return rows[0]?.account_id;
}
