import type { Queryable } from '../db/pool.ts';

// Counts one more attempt for `key` in the current window (a new window starts when the last one is
// over) and returns the count and when the window ends. One statement: parallel attempts serialise on
// the row, so each sees its own count.
export async function countAttempt(
  db: Queryable,
  key: string,
  windowSeconds: number,
): Promise<{ attempts: number; resetAt: Date }> {
  const { rows } = await db.query<{ attempts: number; reset_at: Date }>(
    `INSERT INTO login_throttle (key, attempts, window_start) VALUES ($1, 1, now())
     ON CONFLICT (key) DO UPDATE SET
       attempts = CASE WHEN login_throttle.window_start <= now() - make_interval(secs => $2) THEN 1
                       ELSE login_throttle.attempts + 1 END,
       window_start = CASE WHEN login_throttle.window_start <= now() - make_interval(secs => $2) THEN now()
                           ELSE login_throttle.window_start END
     RETURNING attempts, window_start + make_interval(secs => $2) AS reset_at`,
    [key, windowSeconds],
  );
  const row = rows[0] as { attempts: number; reset_at: Date };
  return { attempts: row.attempts, resetAt: row.reset_at };
}

export async function clearAttempts(db: Queryable, key: string): Promise<void> {
  await db.query('DELETE FROM login_throttle WHERE key = $1', [key]);
}

// A successful attempt gives its slot back, so that only failures add up (an office behind one
// address is not throttled for logging in successfully).
export async function releaseAttempt(db: Queryable, key: string): Promise<void> {
  await db.query('UPDATE login_throttle SET attempts = greatest(attempts - 1, 0) WHERE key = $1', [key]);
}

export async function purgeOldAttempts(db: Queryable, windowSeconds: number): Promise<number> {
  const result = await db.query(
    'DELETE FROM login_throttle WHERE window_start < now() - make_interval(secs => $1)',
    [windowSeconds],
  );
  return result.rowCount ?? 0;
}
