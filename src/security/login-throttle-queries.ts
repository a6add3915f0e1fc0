import type { Queryable } from '../db/pool.ts';

// Every statement that holds more than one row of login_throttle locks its rows in ascending key
// order ('account:…' and 'admin:…' before 'ip:…'), so two of them can never wait on each other in a
// cycle (a deadlock would be a 500 for one of the logins); the purge never waits at all.

export interface AttemptCount {
  key: string;
  attempts: number;
  resetAt: Date;
}

// Counts one more attempt for each key in the current window of that key (a new window starts when
// the last one is over) and returns the counts and when each window ends. One statement for all the
// keys: parallel attempts serialise on each row, so each sees its own count.
export async function countAttempts(
  db: Queryable,
  keys: string[],
  windowSeconds: number,
): Promise<AttemptCount[]> {
  const { rows } = await db.query<{ key: string; attempts: number; reset_at: Date }>({
    name: 'login-throttle-count',
    text: `INSERT INTO login_throttle AS t (key, attempts, window_start)
           SELECT key, 1, now() FROM unnest($1::text[]) AS k(key) ORDER BY key
           ON CONFLICT (key) DO UPDATE SET
             attempts = CASE WHEN t.window_start <= now() - make_interval(secs => $2) THEN 1
                             ELSE t.attempts + 1 END,
             window_start = CASE WHEN t.window_start <= now() - make_interval(secs => $2) THEN now()
                                 ELSE t.window_start END
           RETURNING t.key, t.attempts, t.window_start + make_interval(secs => $2) AS reset_at`,
    values: [keys, windowSeconds],
  });
  return rows.map((r) => ({ key: r.key, attempts: r.attempts, resetAt: r.reset_at }));
}

// After a successful login: the account's counter is cleared, and the address gets its attempt back
// so that only failures add up against it (an office behind one address is not throttled for
// logging in successfully). Both rows are locked first, in key order, then changed.
export async function clearAndRelease(db: Queryable, clearedKey: string, releasedKey: string): Promise<void> {
  await db.query({
    name: 'login-throttle-succeeded',
    text: `WITH locked AS (
             SELECT key FROM login_throttle WHERE key IN ($1, $2) ORDER BY key FOR UPDATE
           ), cleared AS (
             DELETE FROM login_throttle t USING locked l WHERE t.key = l.key AND t.key = $1
           )
           UPDATE login_throttle t SET attempts = greatest(t.attempts - 1, 0)
             FROM locked l WHERE t.key = l.key AND t.key = $2`,
    values: [clearedKey, releasedKey],
  });
}

// Skips rows an attempt holds at this moment (they are being counted, so not stale): the purge takes
// no lock it would have to wait for. Left-over rows go at the next run.
export async function purgeOldAttempts(db: Queryable, windowSeconds: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM login_throttle WHERE key IN (
       SELECT key FROM login_throttle WHERE window_start < now() - make_interval(secs => $1)
          FOR UPDATE SKIP LOCKED)`,
    [windowSeconds],
  );
  return result.rowCount ?? 0;
}
