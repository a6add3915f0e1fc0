import type { Queryable } from '../db/pool.ts';

// Every statement that holds more than one row of login_throttle locks its rows in ascending key
// order ('account:…', 'admin:…', 'device:…' before 'ip:…'), so two of them can never wait on each
// other in a cycle (a deadlock would be a 500 for one of the logins); the purge never waits at all.

export interface Bucket {
  key: string;
  /** one attempt's worth of time, in seconds */
  emissionSeconds: number;
  /** how far ahead of now the bucket may run: (burst − 1) × emission, in seconds */
  toleranceSeconds: number;
}

// The generic cell rate algorithm (ITU-T I.371), one statement for all the keys of an attempt: a key
// lets the attempt through when its theoretical arrival time (tat) is at most `tolerance` ahead of
// now, and then moves tat one emission further. A key that refuses is left unchanged (ON CONFLICT …
// WHERE), so refused attempts cost nothing and cannot push the wait further. Parallel attempts
// serialise on each row, so each sees the tat the previous one left. Returns the keys that refused.
export async function takeAttempt(db: Queryable, buckets: readonly Bucket[]): Promise<string[]> {
  const { rows } = await db.query<{ key: string }>({
    name: 'login-throttle-take',
    text: `WITH taken AS (
             INSERT INTO login_throttle AS t (key, tat, emission, tolerance)
             SELECT k.key, now() + make_interval(secs => k.emission), make_interval(secs => k.emission),
                    make_interval(secs => k.tolerance)
               FROM unnest($1::text[], $2::float8[], $3::float8[]) AS k(key, emission, tolerance)
              ORDER BY k.key
             ON CONFLICT (key) DO UPDATE SET
               tat = greatest(coalesce(t.tat, now()), now()) + EXCLUDED.emission,
               emission = EXCLUDED.emission,
               tolerance = EXCLUDED.tolerance
               WHERE coalesce(t.tat, now()) <= now() + EXCLUDED.tolerance
             RETURNING t.key
           )
           SELECT k.key FROM unnest($1::text[]) AS k(key) WHERE k.key NOT IN (SELECT key FROM taken)`,
    values: [
      buckets.map((b) => b.key),
      buckets.map((b) => b.emissionSeconds),
      buckets.map((b) => b.toleranceSeconds),
    ],
  });
  return rows.map((r) => r.key);
}

/** When the earliest of these keys lets an attempt through again. */
export async function nextAttemptAt(db: Queryable, keys: readonly string[]): Promise<Date> {
  const { rows } = await db.query<{ at: Date | null }>(
    'SELECT max(tat - tolerance) AS at FROM login_throttle WHERE key = ANY($1::text[])',
    [keys],
  );
  return rows[0]?.at ?? new Date();
}

// After a successful login: the key that was used (the account's, or the device's) is cleared, and
// the address gets its attempt back (one emission) so that only failures add up against it (an
// office behind one address is not throttled for logging in successfully). Both rows are locked
// first, in key order, then changed.
export async function clearAndRelease(db: Queryable, clearedKey: string, releasedKey: string): Promise<void> {
  await db.query({
    name: 'login-throttle-succeeded',
    text: `WITH locked AS (
             SELECT key FROM login_throttle WHERE key IN ($1, $2) ORDER BY key FOR UPDATE
           ), cleared AS (
             DELETE FROM login_throttle t USING locked l WHERE t.key = l.key AND t.key = $1
           )
           UPDATE login_throttle t SET tat = t.tat - t.emission
             FROM locked l WHERE t.key = l.key AND t.key = $2 AND t.tat IS NOT NULL`,
    values: [clearedKey, releasedKey],
  });
}

// A bucket whose tat has passed is full again: its row says nothing and goes. Rows of the previous
// version (no tat) go once their 15-minute window is over. Skips rows an attempt holds at this
// moment: the purge takes no lock it would have to wait for; left-over rows go at the next run.
export async function purgeOldAttempts(db: Queryable): Promise<number> {
  const result = await db.query(
    `DELETE FROM login_throttle WHERE key IN (
       SELECT key FROM login_throttle
        WHERE coalesce(tat, window_start + interval '15 minutes') < now()
          FOR UPDATE SKIP LOCKED)`,
  );
  return result.rowCount ?? 0;
}
