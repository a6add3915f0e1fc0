import type { Queryable } from '../db/pool.ts';

export interface AdminRow {
  id: string;
  email: string;
  password_hash: string;
  totp_secret_sealed: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: string | null;
  disabled_at: Date | null;
}

export async function insertAdmin(db: Queryable, email: string, passwordHash: string): Promise<AdminRow> {
  const { rows } = await db.query<AdminRow>(
    'INSERT INTO admins (email, password_hash) VALUES ($1, $2) RETURNING *',
    [email, passwordHash],
  );
  return rows[0] as AdminRow;
}

export async function findAdminByEmail(db: Queryable, email: string): Promise<AdminRow | undefined> {
  const { rows } = await db.query<AdminRow>('SELECT * FROM admins WHERE lower(email) = lower($1)', [email]);
  return rows[0];
}

export async function findAdminById(db: Queryable, id: string): Promise<AdminRow | undefined> {
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(id)) return undefined;
  const { rows } = await db.query<AdminRow>('SELECT * FROM admins WHERE id = $1', [id]);
  return rows[0];
}

export interface AdminListRow {
  id: string;
  email: string;
  created_at: Date;
  disabled_at: Date | null;
  totp_enabled_at: Date | null;
  failures: number;
  blocked_until: Date | null;
  locked_at: Date | null;
  enrolment_code_expires_at: Date | null;
}

export async function listAdmins(db: Queryable): Promise<AdminListRow[]> {
  const { rows } = await db.query<AdminListRow>(
    `SELECT a.id, a.email, a.created_at, a.disabled_at, a.totp_enabled_at,
            coalesce(f.failures, 0) AS failures, f.blocked_until, f.locked_at,
            CASE WHEN e.used_at IS NULL AND e.expires_at > now() THEN e.expires_at END AS enrolment_code_expires_at
       FROM admins a
       LEFT JOIN admin_second_factor_failures f ON f.admin_id = a.id
       LEFT JOIN admin_enrolment_codes e ON e.admin_id = a.id
      ORDER BY lower(a.email)`,
  );
  return rows;
}

export interface AdminTokenRow {
  id: string;
  admin_id: string;
  name: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export async function insertAdminToken(
  db: Queryable,
  t: { adminId: string; name: string; tokenHash: string; expiresAt: Date | null },
): Promise<AdminTokenRow> {
  const { rows } = await db.query<AdminTokenRow>(
    `INSERT INTO admin_tokens (admin_id, name, token_hash, expires_at) VALUES ($1, $2, $3, $4)
     RETURNING id, admin_id, name, created_at, expires_at, revoked_at, last_used_at`,
    [t.adminId, t.name, t.tokenHash, t.expiresAt],
  );
  return rows[0] as AdminTokenRow;
}

export async function listAdminTokens(db: Queryable): Promise<(AdminTokenRow & { admin_email: string })[]> {
  const { rows } = await db.query<AdminTokenRow & { admin_email: string }>(
    `SELECT t.id, t.admin_id, a.email AS admin_email, t.name, t.created_at, t.expires_at, t.revoked_at, t.last_used_at
       FROM admin_tokens t JOIN admins a ON a.id = t.admin_id ORDER BY t.created_at DESC`,
  );
  return rows;
}

export async function revokeAdminToken(db: Queryable, id: string): Promise<AdminTokenRow | undefined> {
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(id)) return undefined;
  const { rows } = await db.query<AdminTokenRow>(
    `UPDATE admin_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
     RETURNING id, admin_id, name, created_at, expires_at, revoked_at, last_used_at`,
    [id],
  );
  return rows[0];
}

// The admin behind a live token, marking its use.
export async function useAdminToken(
  db: Queryable,
  tokenHash: string,
): Promise<{ token_id: string; admin: AdminRow } | undefined> {
  const { rows } = await db.query<AdminRow & { token_id: string }>(
    `WITH used AS (
       UPDATE admin_tokens SET last_used_at = now()
        WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
        RETURNING id, admin_id
     )
     SELECT used.id AS token_id, a.* FROM used JOIN admins a ON a.id = used.admin_id WHERE a.disabled_at IS NULL`,
    [tokenHash],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { token_id, ...admin } = row;
  return { token_id, admin };
}
