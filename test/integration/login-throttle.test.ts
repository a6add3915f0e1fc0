// The login throttle's two statements under contention, on the real schema: many logins of one
// account from one address at once, with the housekeeping purge running beside them. Nothing may
// fail (a deadlock between two logins would be a 500), and the address must end up counting exactly
// the failures.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginThrottle } from '../../src/security/login-throttle.ts';
import { purgeOldAttempts } from '../../src/security/login-throttle-queries.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 12 });
  // Every row change takes a millisecond more, so a statement holds its first row for a while
  // before it takes the next: a lock-order mistake then shows as a deadlock instead of hiding in a
  // window of microseconds. Only in this test's own database.
  await pool.query(`
    CREATE FUNCTION slow_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(0.001); RETURN coalesce(NEW, OLD); END $$;
    CREATE TRIGGER slow_row_change BEFORE INSERT OR UPDATE OR DELETE ON login_throttle
      FOR EACH ROW EXECUTE FUNCTION slow_row_change();`);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const attemptsOf = async (key: string) =>
  (await pool.query<{ attempts: number }>('SELECT attempts FROM login_throttle WHERE key = $1', [key]))
    .rows[0]?.attempts;

describe('login throttle statements', () => {
  it('counts each key against its own limit in one attempt', async () => {
    const throttle = createLoginThrottle(pool, { perAccount: 2, perIp: 3, windowSeconds: 900 });
    await throttle.attempt('account', 'Alice', '192.0.2.1');
    await throttle.attempt('account', 'alice ', '192.0.2.1');
    // The account's limit is reached; the address's is not.
    await expect(throttle.attempt('account', 'ALICE', '192.0.2.2')).rejects.toMatchObject({ status: 429 });
    // The address's limit is reached by other accounts.
    await throttle.attempt('account', 'bob', '192.0.2.1');
    await expect(throttle.attempt('account', 'bea', '192.0.2.1')).rejects.toMatchObject({ status: 429 });
    expect(await attemptsOf('account:alice')).toBe(3);
    expect(await attemptsOf('ip:192.0.2.1')).toBe(4);
    expect(await attemptsOf('ip:192.0.2.2')).toBe(1);
    expect(await attemptsOf('account:bea')).toBe(1);
  });

  it('clears the account and gives the address its attempt back after a success', async () => {
    const throttle = createLoginThrottle(pool, { perAccount: 10, perIp: 100, windowSeconds: 900 });
    for (let i = 0; i < 3; i++) await throttle.attempt('account', 'carol', '192.0.2.3');
    await throttle.succeeded('account', 'carol', '192.0.2.3');
    expect(await attemptsOf('account:carol')).toBeUndefined();
    expect(await attemptsOf('ip:192.0.2.3')).toBe(2);
    // An address with no row (purged meanwhile) stays without one.
    await throttle.succeeded('account', 'carol', '192.0.2.99');
    expect(await attemptsOf('ip:192.0.2.99')).toBeUndefined();
  });

  it('holds under parallel successes, failures and purges of one account and one address', async () => {
    const throttle = createLoginThrottle(pool, { perAccount: 10_000, perIp: 10_000, windowSeconds: 900 });
    const ip = '192.0.2.4';
    const logins = Array.from({ length: 300 }, (_, i) => i % 3 !== 0);
    let purging = true;
    const purges = (async () => {
      while (purging) await purgeOldAttempts(pool, 0);
    })();
    try {
      await Promise.all(
        logins.map(async (success) => {
          await throttle.attempt('account', 'dave', ip);
          if (success) await throttle.succeeded('account', 'dave', ip);
        }),
      );
    } finally {
      purging = false;
      await purges;
    }
    // The purge removed rows as it went (a zero-second window makes every row stale), so only the
    // logins after the last purge are left: at most the failures.
    expect((await attemptsOf(`ip:${ip}`)) ?? 0).toBeLessThanOrEqual(100);

    // Without a purge the address keeps exactly the failures.
    await Promise.all(
      logins.map(async (success) => {
        await throttle.attempt('account', 'erin', '192.0.2.5');
        if (success) await throttle.succeeded('account', 'erin', '192.0.2.5');
      }),
    );
    expect(await attemptsOf('ip:192.0.2.5')).toBe(100);
  });
});
