import type { Queryable } from '../db/pool.ts';

export interface SecondFactorState {
  failures: number;
  blocked_until: Date | null;
  locked_at: Date | null;
}

// Takes one attempt at an admin's second factor, counted as a failure before the code is checked (a
// correct code then clears it): one statement, so parallel attempts serialise on the admin's row and
// none slips past a wait another one started. Nothing changes while a wait runs (ON CONFLICT …
// WHERE): the attempt is refused and returns no row. `waits` are the seconds to wait after the n-th
// failure (the last one repeats); `lockAt` the failure that starts the lock.
export async function takeSecondFactorAttempt(
  db: Queryable,
  adminId: string,
  waits: readonly number[],
  lockAt: number,
): Promise<SecondFactorState | undefined> {
  const { rows } = await db.query<SecondFactorState>(
    `INSERT INTO admin_second_factor_failures AS f (admin_id, failures, blocked_until, locked_at)
     VALUES ($1, 1, now() + make_interval(secs => ($2::int[])[1]), CASE WHEN $3::int <= 1 THEN now() END)
     ON CONFLICT (admin_id) DO UPDATE SET
       failures = f.failures + 1,
       blocked_until = now() + make_interval(secs => ($2::int[])[least(f.failures + 1, cardinality($2::int[]))]),
       locked_at = CASE WHEN f.failures + 1 >= $3::int THEN coalesce(f.locked_at, now()) END
       WHERE f.blocked_until IS NULL OR f.blocked_until <= now()
     RETURNING failures, blocked_until, locked_at`,
    [adminId, waits, lockAt],
  );
  return rows[0];
}

export async function findSecondFactorState(
  db: Queryable,
  adminId: string,
): Promise<SecondFactorState | undefined> {
  const { rows } = await db.query<SecondFactorState>(
    'SELECT failures, blocked_until, locked_at FROM admin_second_factor_failures WHERE admin_id = $1',
    [adminId],
  );
  return rows[0];
}

/** A correct code, another admin or the CLI: the count starts again. Returns what there was. */
export async function clearSecondFactorFailures(
  db: Queryable,
  adminId: string,
): Promise<SecondFactorState | undefined> {
  const { rows } = await db.query<SecondFactorState>(
    'DELETE FROM admin_second_factor_failures WHERE admin_id = $1 RETURNING failures, blocked_until, locked_at',
    [adminId],
  );
  return rows[0];
}
