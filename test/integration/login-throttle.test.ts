// The login throttle's statements under contention, on the real schema: many logins of one account
// from one address at once, with the housekeeping purge running beside them. Nothing may fail (a
// deadlock between two logins would be a 500), exactly the burst gets through, and the address must
// end up charged exactly for the failures.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTag } from '../../src/security/device-cookie.ts';
import { createLoginThrottle } from '../../src/security/login-throttle.ts';
import { purgeOldAttempts } from '../../src/security/login-throttle-queries.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 12 });
  // A connection still closing when the database is dropped must not fail the run.
  pool.on('error', () => undefined);
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

const HOUR = 3600;
const limits = (account: number, ip: number) => ({
  account: { burst: account, everySeconds: HOUR },
  device: { burst: 2, everySeconds: HOUR },
  ip: { burst: ip, everySeconds: HOUR },
});
const from = (ip: string, device?: { id: string; tag: string }) => ({ ip, device });

/** How many attempts this key would still let through now. */
const allowance = async (key: string, burst: number) => {
  const { rows } = await pool.query<{ ahead: number }>(
    "SELECT extract(epoch FROM greatest(tat - now(), interval '0'))::float8 AS ahead FROM login_throttle WHERE key = $1",
    [key],
  );
  return rows[0] ? burst - Math.ceil(rows[0].ahead / HOUR - 1e-6) : burst;
};

describe('login throttle statements', () => {
  it('counts each key against its own limit in one attempt', async () => {
    const throttle = createLoginThrottle(pool, limits(2, 3));
    await throttle.attempt('account', 'alice', from('192.0.2.1'));
    await throttle.attempt('account', 'alice', from('192.0.2.1'));
    // The account's burst is used up; the address's is not.
    await expect(throttle.attempt('account', 'alice', from('192.0.2.2'))).rejects.toMatchObject({
      status: 429,
      retryAfterSeconds: expect.any(Number),
    });
    // The address's burst is used up by other accounts.
    await throttle.attempt('account', 'bob', from('192.0.2.1'));
    await expect(throttle.attempt('account', 'bea', from('192.0.2.1'))).rejects.toMatchObject({
      status: 429,
    });
    expect(await allowance('account:alice', 2)).toBe(0);
    expect(await allowance('ip:192.0.2.1', 3)).toBe(0);
    expect(await allowance('ip:192.0.2.2', 3)).toBe(2);
    expect(await allowance('account:bea', 2)).toBe(1);
  });

  it('slows rather than blocks: once the burst is spent, one attempt per interval', async () => {
    const throttle = createLoginThrottle(pool, {
      account: { burst: 3, everySeconds: 60 },
      device: { burst: 3, everySeconds: 60 },
      ip: { burst: 1000, everySeconds: 1 },
    });
    for (let i = 0; i < 3; i++) await throttle.attempt('account', 'slow', from('192.0.2.9'));
    const refused = await throttle.attempt('account', 'slow', from('192.0.2.9')).catch((e) => e);
    expect(refused.status).toBe(429);
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    // A refused attempt costs nothing: one interval later exactly one attempt gets through.
    await pool.query(
      "UPDATE login_throttle SET tat = tat - interval '60 seconds' WHERE key = 'account:slow'",
    );
    await throttle.attempt('account', 'slow', from('192.0.2.9'));
    await expect(throttle.attempt('account', 'slow', from('192.0.2.9'))).rejects.toMatchObject({
      status: 429,
    });
  });

  it('gives a device that signed in before its own allowance, and never another account’s', async () => {
    const throttle = createLoginThrottle(pool, limits(1, 100));
    const mine = { id: 'd'.repeat(22), tag: deviceTag('account', 'carl') };
    await throttle.attempt('account', 'carl', from('192.0.2.20'));
    await expect(throttle.attempt('account', 'carl', from('192.0.2.21'))).rejects.toMatchObject({
      status: 429,
    });
    // The owner's browser still gets in; a cookie for another account (or forged) counts as none.
    await throttle.attempt('account', 'carl', from('192.0.2.22', mine));
    const foreign = { id: 'e'.repeat(22), tag: deviceTag('account', 'someone-else') };
    await expect(throttle.attempt('account', 'carl', from('192.0.2.22', foreign))).rejects.toMatchObject({
      status: 429,
    });
    await expect(
      throttle.attempt('admin', 'carl', from('192.0.2.22', { id: mine.id, tag: mine.tag })),
    ).resolves.toBeUndefined(); // another realm: its own account key, not this device
    expect(await allowance(`device:account:${mine.id}`, 2)).toBe(1);
  });

  it('clears the key used and gives the address its attempt back after a success', async () => {
    const throttle = createLoginThrottle(pool, limits(10, 100));
    for (let i = 0; i < 3; i++) await throttle.attempt('account', 'cora', from('192.0.2.3'));
    await throttle.succeeded('account', 'cora', from('192.0.2.3'));
    expect((await pool.query("SELECT 1 FROM login_throttle WHERE key = 'account:cora'")).rowCount).toBe(0);
    expect(await allowance('ip:192.0.2.3', 100)).toBe(98);
    // An address with no row (purged meanwhile) stays without one.
    await throttle.succeeded('account', 'cora', from('192.0.2.99'));
    expect((await pool.query("SELECT 1 FROM login_throttle WHERE key = 'ip:192.0.2.99'")).rowCount).toBe(0);
  });

  it('holds under parallel successes, failures and purges of one account and one address', async () => {
    const throttle = createLoginThrottle(pool, limits(10_000, 10_000));
    const ip = '192.0.2.4';
    const logins = Array.from({ length: 300 }, (_, i) => i % 3 !== 0);
    let purging = true;
    const purges = (async () => {
      while (purging) await purgeOldAttempts(pool);
    })();
    try {
      await Promise.all(
        logins.map(async (success) => {
          await throttle.attempt('account', 'dave', from(ip));
          if (success) await throttle.succeeded('account', 'dave', from(ip));
        }),
      );
    } finally {
      purging = false;
      await purges;
    }
    // Without a purge the address keeps exactly the failures.
    await Promise.all(
      logins.map(async (success) => {
        await throttle.attempt('account', 'erin', from('192.0.2.5'));
        if (success) await throttle.succeeded('account', 'erin', from('192.0.2.5'));
      }),
    );
    expect(await allowance('ip:192.0.2.5', 10_000)).toBe(10_000 - 100);
  });

  it('lets exactly the burst through when attempts arrive all at once', async () => {
    const throttle = createLoginThrottle(pool, limits(7, 1000));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, () => throttle.attempt('account', 'fay', from('192.0.2.6'))),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(7);
    expect(
      outcomes
        .filter((o) => o.status === 'rejected')
        .every((o) => (o as PromiseRejectedResult).reason.status === 429),
    ).toBe(true);
  });
});
