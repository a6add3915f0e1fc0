import type { Queryable } from '../db/pool.ts';

export interface AdvisorRow {
  id: string;
  email: string;
  display_name: string;
  agency: string;
  password_hash: string;
  totp_secret_sealed: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: string | null;
  created_at: Date;
  disabled_at: Date | null;
}

/** What an advisor looks like outside the sign-in code: no hash, no sealed secret. */
export interface AdvisorView {
  id: string;
  email: string;
  display_name: string;
  agency: string;
  created_at: Date;
  disabled_at: Date | null;
  totp_enabled_at: Date | null;
  failures: number;
  locked_at: Date | null;
  portfolio: number;
}

const UUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

export async function insertAdvisor(
  db: Queryable,
  a: { email: string; displayName: string; agency: string; passwordHash: string },
): Promise<AdvisorRow> {
  const { rows } = await db.query<AdvisorRow>(
    'INSERT INTO advisors (email, display_name, agency, password_hash) VALUES ($1, $2, $3, $4) RETURNING *',
    [a.email, a.displayName, a.agency, a.passwordHash],
  );
  return rows[0] as AdvisorRow;
}

export async function findAdvisorByEmail(db: Queryable, email: string): Promise<AdvisorRow | undefined> {
  const { rows } = await db.query<AdvisorRow>('SELECT * FROM advisors WHERE lower(email) = lower($1)', [
    email,
  ]);
  return rows[0];
}

export async function findAdvisorById(db: Queryable, id: string): Promise<AdvisorRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await db.query<AdvisorRow>('SELECT * FROM advisors WHERE id = $1', [id]);
  return rows[0];
}

const VIEW = `SELECT a.id, a.email, a.display_name, a.agency, a.created_at, a.disabled_at, a.totp_enabled_at,
                     coalesce(f.failures, 0) AS failures, f.locked_at,
                     (SELECT count(*)::int FROM advisor_assignments s WHERE s.advisor_id = a.id) AS portfolio
                FROM advisors a LEFT JOIN advisor_second_factor_failures f ON f.advisor_id = a.id`;

export async function listAdvisors(db: Queryable): Promise<AdvisorView[]> {
  const { rows } = await db.query<AdvisorView>(`${VIEW} ORDER BY lower(a.agency), lower(a.email)`);
  return rows;
}

export async function findAdvisorView(db: Queryable, id: string): Promise<AdvisorView | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await db.query<AdvisorView>(`${VIEW} WHERE a.id = $1`, [id]);
  return rows[0];
}

export async function updateAdvisor(
  db: Queryable,
  id: string,
  change: { displayName?: string; agency?: string; disabled?: boolean },
): Promise<AdvisorRow | undefined> {
  const { rows } = await db.query<AdvisorRow>(
    `UPDATE advisors SET display_name = coalesce($2, display_name), agency = coalesce($3, agency),
            disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at
                               WHEN $4 THEN coalesce(disabled_at, now()) END
      WHERE id = $1 RETURNING *`,
    [id, change.displayName ?? null, change.agency ?? null, change.disabled ?? null],
  );
  return rows[0];
}
