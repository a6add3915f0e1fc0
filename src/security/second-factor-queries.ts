import type { Queryable } from '../db/pool.ts';

// The accounts that sign in with a password and a TOTP second factor, each kind with its own tables
// (admins since migrations 008/014, advisors since 105): the same rules and the same statements
// serve both. Table names come only from these constants, never from input.
export interface SecondFactorTables {
  accounts: 'admins' | 'advisors';
  failures: 'admin_second_factor_failures' | 'advisor_second_factor_failures';
  codes: 'admin_enrolment_codes' | 'advisor_enrolment_codes';
  /** the column of `failures` and `codes` naming the account */
  key: 'admin_id' | 'advisor_id';
}

export const ADMIN_TABLES: SecondFactorTables = {
  accounts: 'admins',
  failures: 'admin_second_factor_failures',
  codes: 'admin_enrolment_codes',
  key: 'admin_id',
};

export const ADVISOR_TABLES: SecondFactorTables = {
  accounts: 'advisors',
  failures: 'advisor_second_factor_failures',
  codes: 'advisor_enrolment_codes',
  key: 'advisor_id',
};

/** What the second factor needs of an account, whatever its kind. */
export interface SecondFactorAccount {
  id: string;
  email: string;
  totp_secret_sealed: string | null;
  totp_enabled_at: Date | null;
  disabled_at: Date | null;
}

export interface SecondFactorState {
  failures: number;
  blocked_until: Date | null;
  locked_at: Date | null;
}

// Takes one attempt at an account's second factor, counted as a failure before the code is checked
// (a correct code then clears it): one statement, so parallel attempts serialise on the account's row
// and none slips past a wait another one started. Nothing changes while a wait runs (ON CONFLICT …
// WHERE): the attempt is refused and returns no row. `waits` are the seconds to wait after the n-th
// failure (the last one repeats); `lockAt` the failure that starts the lock.
export async function takeSecondFactorAttempt(
  db: Queryable,
  accountId: string,
  waits: readonly number[],
  lockAt: number,
  t: SecondFactorTables = ADMIN_TABLES,
): Promise<SecondFactorState | undefined> {
  const { rows } = await db.query<SecondFactorState>(
    `INSERT INTO ${t.failures} AS f (${t.key}, failures, blocked_until, locked_at)
     VALUES ($1, 1, now() + make_interval(secs => ($2::int[])[1]), CASE WHEN $3::int <= 1 THEN now() END)
     ON CONFLICT (${t.key}) DO UPDATE SET
       failures = f.failures + 1,
       blocked_until = now() + make_interval(secs => ($2::int[])[least(f.failures + 1, cardinality($2::int[]))]),
       locked_at = CASE WHEN f.failures + 1 >= $3::int THEN coalesce(f.locked_at, now()) END
       WHERE f.blocked_until IS NULL OR f.blocked_until <= now()
     RETURNING failures, blocked_until, locked_at`,
    [accountId, waits, lockAt],
  );
  return rows[0];
}

export async function findSecondFactorState(
  db: Queryable,
  accountId: string,
  t: SecondFactorTables = ADMIN_TABLES,
): Promise<SecondFactorState | undefined> {
  const { rows } = await db.query<SecondFactorState>(
    `SELECT failures, blocked_until, locked_at FROM ${t.failures} WHERE ${t.key} = $1`,
    [accountId],
  );
  return rows[0];
}

/** A correct code, an admin or the CLI: the count starts again. Returns what there was. */
export async function clearSecondFactorFailures(
  db: Queryable,
  accountId: string,
  t: SecondFactorTables = ADMIN_TABLES,
): Promise<SecondFactorState | undefined> {
  const { rows } = await db.query<SecondFactorState>(
    `DELETE FROM ${t.failures} WHERE ${t.key} = $1 RETURNING failures, blocked_until, locked_at`,
    [accountId],
  );
  return rows[0];
}

export async function findSecondFactorAccount<T extends SecondFactorAccount>(
  db: Queryable,
  t: SecondFactorTables,
  id: string,
): Promise<T | undefined> {
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(id)) return undefined;
  const { rows } = await db.query<T>(`SELECT * FROM ${t.accounts} WHERE id = $1`, [id]);
  return rows[0];
}

/** A new secret waiting for its first code, or (null) none: the account must enrol again. */
export async function setTotpSecret(
  db: Queryable,
  t: SecondFactorTables,
  id: string,
  sealed: string | null,
): Promise<void> {
  await db.query(
    `UPDATE ${t.accounts} SET totp_secret_sealed = $2, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1`,
    [id, sealed],
  );
}

// One live enrolment code per account: a new one replaces the previous, used or not.
export async function upsertEnrolmentCode(
  db: Queryable,
  t: SecondFactorTables,
  accountId: string,
  codeHash: string,
  validSeconds: number,
): Promise<Date> {
  const { rows } = await db.query<{ expires_at: Date }>(
    `INSERT INTO ${t.codes} (${t.key}, code_hash, expires_at)
     VALUES ($1, $2, now() + make_interval(secs => $3))
     ON CONFLICT (${t.key}) DO UPDATE
       SET code_hash = EXCLUDED.code_hash, created_at = now(), expires_at = EXCLUDED.expires_at, used_at = NULL
     RETURNING expires_at`,
    [accountId, codeHash, validSeconds],
  );
  return (rows[0] as { expires_at: Date }).expires_at;
}

// Uses an enrolment code up, if it is this account's, live and unused: one conditional UPDATE, so two
// parallel uses of one code cannot both succeed.
export async function claimEnrolmentCode(
  db: Queryable,
  t: SecondFactorTables,
  accountId: string,
  codeHash: string,
): Promise<boolean> {
  const result = await db.query(
    `UPDATE ${t.codes} SET used_at = now()
      WHERE ${t.key} = $1 AND code_hash = $2 AND used_at IS NULL AND expires_at > now()`,
    [accountId, codeHash],
  );
  return result.rowCount === 1;
}

export async function enableTotp(db: Queryable, t: SecondFactorTables, id: string): Promise<void> {
  await db.query(`UPDATE ${t.accounts} SET totp_enabled_at = now() WHERE id = $1`, [id]);
}

// Accepts a TOTP time step once: a code replayed within its window is refused (RFC 6238 §5.2).
export async function claimTotpStep(
  db: Queryable,
  t: SecondFactorTables,
  id: string,
  step: number,
): Promise<boolean> {
  const result = await db.query(
    `UPDATE ${t.accounts} SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)`,
    [id, step],
  );
  return result.rowCount === 1;
}
