// The access log partitioned by month (migrations 080-082, src/jobs/access-log-retention.ts), on a
// real PostgreSQL: an existing log is moved under the partitioned table without losing or copying a
// row, months ahead are created, a month past the retention is dropped whole while reads go on, rows
// past the retention are never shown, and the dashboard's queries scan only the months they need.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ensureAccessLogPartitions,
  insertAccessLogEntries,
  listAccessLogPartitions,
} from '../../src/api/access-log-queries.ts';
import { accessLogPage, readStats } from '../../src/dashboard/dashboard-queries.ts';
import { migrate } from '../../src/db/migrate.ts';
import {
  dropExpiredAccessLogMonths,
  isExpired,
  MONTHS_AHEAD,
  purgeLegacyRows,
} from '../../src/jobs/access-log-retention.ts';
import { createLogger } from '../../src/logger.ts';
import { eventually } from '../support/eventually.ts';
import { databaseUrl } from '../support/global-setup.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const JOBSEEKER = '00000000-0000-4000-8000-000000000001';
const DAY = 86_400_000;
const monthName = (d: Date) =>
  `access_log_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

async function _plan(db: pg.Pool | pg.PoolClient, sql: string, params: unknown[]): Promise<string> {
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${sql}`, params);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

describe('a new database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('has a partitioned access log with this month and three ahead, and no old-table partition', async () => {
    const kind = await db.pool.query("SELECT relkind FROM pg_class WHERE relname = 'access_log'");
    expect(kind.rows[0].relkind).toBe('p');
    const names = (await listAccessLogPartitions(db.pool)).map((p) => p.name);
    const now = new Date();
    for (let k = 0; k <= 3; k++) {
      expect(names).toContain(monthName(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1))));
    }
    expect(names).not.toContain('access_log_legacy');
    expect(await ensureAccessLogPartitions(db.pool, 3)).toBe(0);
  });

  it('stores a read in the partition of its month', async () => {
    await insertAccessLogEntries(db.pool, [
      { jobseekerId: JOBSEEKER, clientId: 'app', scope: 'competences', fields: ['code'], readAt: new Date() },
    ]);
    const { rows } = await db.pool.query('SELECT tableoid::regclass::text AS part FROM access_log');
    expect(rows).toEqual([{ part: monthName(new Date()) }]);
  });
});

describe('retention by month', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    // Sixteen months back: one read on the 15th of each month, and one 10 days ago.
    await ensureAccessLogPartitions(db.pool, 3, 16);
    const now = new Date();
    const reads = Array.from({ length: 17 }, (_, k) => ({
      jobseekerId: JOBSEEKER,
      clientId: 'app',
      scope: 'competences',
      fields: ['code'],
      readAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - k, 15)),
    })).filter((r) => r.readAt.getTime() < now.getTime());
    reads.push({ ...(reads[0] as (typeof reads)[0]), readAt: new Date(now.getTime() - 10 * DAY) });
    await insertAccessLogEntries(db.pool, reads);
  });
  afterAll(() => db?.drop());

  it('never shows a read past the retention, even while its month is still on disk', async () => {
    const oldest = await db.pool.query<{ read_at: Date }>('SELECT min(read_at) AS read_at FROM access_log');
    expect(oldest.rows[0]?.read_at.getTime()).toBeLessThan(Date.now() - 400 * DAY);
    const page = await accessLogPage(db.pool, JOBSEEKER, undefined, 100, 396);
    expect(page.length).toBeGreaterThan(5);
    expect(page.every((r) => r.read_at.getTime() > Date.now() - 396 * DAY)).toBe(true);
    const stats = await readStats(db.pool, JOBSEEKER, 30);
    expect(stats).toHaveLength(1);
    expect(stats[0]?.reads_30d).toBeGreaterThanOrEqual(1);
  });

  it('scans only the months within the retention, and later pages skip the newer months', async () => {
    const total = (await listAccessLogPartitions(db.pool)).length;
    expect(total).toBeGreaterThanOrEqual(19);
    // Partitions a plan still scans (index or sequential), after pruning.
    const scanned = (text: string) => text.match(/ on access_log_(\d{4}_\d{2}|legacy)\b/g)?.length ?? 0;
    const client = await db.pool.connect();
    try {
      // A generic plan, as a prepared statement gets after five runs: pruning happens when the
      // executor starts (now() is stable, the parameters known), not when the plan is made.
      await client.query('SET plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE page(uuid, timestamptz, bigint, int, int) AS
        SELECT a.id FROM access_log a WHERE a.jobseeker_id = $1 AND a.read_at > now() - make_interval(days => $5)
           AND a.read_at <= coalesce($2::timestamptz, 'infinity')
           AND ($2::timestamptz IS NULL OR (a.read_at, a.id) < ($2::timestamptz, $3::bigint))
         ORDER BY a.read_at DESC, a.id DESC LIMIT $4`);
      const explain = async (sql: string) =>
        (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${sql}`)).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n');
      // The first page within 60 days: the two or three months those days touch, and the months
      // ahead (empty; not cut off, so that a read stamped by a clock a little ahead still shows).
      const first = await explain(`EXECUTE page('${JOBSEEKER}', NULL, NULL, 51, 60)`);
      expect(first).toMatch(/Subplans Removed: \d+/);
      expect(scanned(first)).toBeLessThanOrEqual(3 + MONTHS_AHEAD);
      expect(scanned(first)).toBeGreaterThanOrEqual(1);
      // A later page, 100 days back, within 396 days: the newer months are skipped.
      const cursor = new Date(Date.now() - 100 * DAY).toISOString();
      const later = await explain(`EXECUTE page('${JOBSEEKER}', '${cursor}', 0, 51, 396)`);
      expect(scanned(later)).toBeLessThanOrEqual(total - 3 - MONTHS_AHEAD);
      await client.query(`PREPARE stats(uuid, int) AS
        SELECT client_id, scope, max(read_at) FROM access_log
         WHERE jobseeker_id = $1 AND read_at > now() - make_interval(days => $2) GROUP BY client_id, scope`);
      expect(scanned(await explain(`EXECUTE stats('${JOBSEEKER}', 60)`))).toBeLessThanOrEqual(
        3 + MONTHS_AHEAD,
      );
    } finally {
      await client.query('DEALLOCATE ALL');
      await client.query('RESET plan_cache_mode');
      client.release();
    }
  });

  it('drops whole the months whose every read is past the retention, and keeps the others', async () => {
    const before = await listAccessLogPartitions(db.pool);
    const expired = before.filter((p) => isExpired(p, 396));
    expect(expired.length).toBeGreaterThanOrEqual(2);
    const { partitionsDropped } = await dropExpiredAccessLogMonths(db.pool, 396);
    expect(partitionsDropped.sort()).toEqual(expired.map((p) => p.name).sort());
    const after = (await listAccessLogPartitions(db.pool)).map((p) => p.name);
    expect(after).toHaveLength(before.length - expired.length);
    const tables = await db.pool.query('SELECT relname FROM pg_class WHERE relname = ANY($1)', [
      expired.map((p) => p.name),
    ]);
    expect(tables.rowCount).toBe(0);
    // Every read left is in a month that ends after the retention's start.
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM access_log
        WHERE read_at < date_trunc('month', now() - interval '396 days', 'UTC')`,
    );
    expect(rows[0]?.n).toBe(0);
    expect((await db.pool.query('SELECT 1 FROM access_log')).rowCount).toBeGreaterThan(10);
  });

  it('drops a month without blocking the reads that start meanwhile', async () => {
    // An old read holds a snapshot that may still see the month: the detach waits for it…
    await ensureAccessLogPartitions(db.pool, 0, 20);
    const holder = await db.pool.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT count(*) FROM access_log');
    let settled = false;
    const dropping = dropExpiredAccessLogMonths(db.pool, 396).finally(() => {
      settled = true;
    });
    // …and is seen waiting on its lock (not holding an ACCESS EXCLUSIVE lock on the parent)…
    await eventually(async () => {
      const waiting = await db.pool.query(
        "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'ALTER TABLE access_log DETACH PARTITION%' AND wait_event_type = 'Lock'",
      );
      expect(waiting.rowCount).toBeGreaterThan(0);
    });
    const exclusive = await db.pool.query(
      "SELECT 1 FROM pg_locks WHERE relation = 'access_log'::regclass AND mode = 'AccessExclusiveLock'",
    );
    expect(exclusive.rowCount).toBe(0);
    // …while a new read and a new insert go through.
    const reader = await db.pool.query('SELECT count(*)::int AS n FROM access_log WHERE jobseeker_id = $1', [
      JOBSEEKER,
    ]);
    expect(reader.rows[0].n).toBeGreaterThan(0);
    await insertAccessLogEntries(db.pool, [
      { jobseekerId: JOBSEEKER, clientId: 'app', scope: 'statut', fields: ['code'], readAt: new Date() },
    ]);
    expect(settled).toBe(false);
    await holder.query('COMMIT');
    holder.release();
    const { partitionsDropped } = await dropping;
    expect(partitionsDropped.length).toBeGreaterThanOrEqual(1);
  });

  it('finishes a drop that an instance left half-done', async () => {
    await ensureAccessLogPartitions(db.pool, 0, 20);
    const stale = (await listAccessLogPartitions(db.pool)).find((p) => isExpired(p, 396));
    expect(stale).toBeDefined();
    // Detached but not dropped (the process died between the two statements).
    await db.pool.query(`ALTER TABLE access_log DETACH PARTITION ${stale?.name}`);
    const { partitionsDropped } = await dropExpiredAccessLogMonths(db.pool, 396);
    expect(partitionsDropped).toContain(stale?.name);
    expect((await db.pool.query('SELECT to_regclass($1) AS t', [stale?.name])).rows[0].t).toBeNull();
  });
});

describe('migrating an existing access log', () => {
  const name = `pec_partition_${process.pid}_${Date.now() % 100_000}`;
  const adminUrl = inject('adminUrl');
  const url = databaseUrl(adminUrl, name);
  let pool: pg.Pool;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(sql);
    await client.end();
  };

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name}`);
    const dir = path.resolve(import.meta.dirname, '../../migrations');
    const before = readdirSync(dir).filter((f) => f.endsWith('.sql') && f < '080').length;
    await runner({
      databaseUrl: url,
      dir,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      count: before,
      log: () => undefined,
    });
    pool = new pg.Pool({ connectionString: url, max: 3 });
    // DROP DATABASE … WITH (FORCE) may reach a connection still closing after pool.end(): its error
    // event must not become an uncaught exception of the test run (as in test-database.ts).
    pool.on('error', () => undefined);
    // 500 reads over the last 500 days, in the old single table.
    await pool.query(
      `INSERT INTO access_log (jobseeker_id, client_id, scope, fields, read_at)
       SELECT $1, 'app', 'competences', '{code}', now() - i * interval '1 day' FROM generate_series(1, 500) i`,
      [JOBSEEKER],
    );
  });
  afterAll(async () => {
    await pool?.end();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('keeps every row in place under the partitioned table, and ids go on from the old sequence', async () => {
    const ids = await pool.query<{ max: string }>('SELECT max(id)::text AS max FROM access_log');
    await migrate(url, createLogger('silent'));
    const { rows } = await pool.query<{ part: string; n: number }>(
      'SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM access_log GROUP BY 1',
    );
    expect(rows).toEqual([{ part: 'access_log_legacy', n: 500 }]);
    const legacy = (await listAccessLogPartitions(pool)).find((p) => p.name === 'access_log_legacy');
    expect(legacy).toMatchObject({ from: null, attached: true });
    // The old table's bound: the first day of a month, at least one day ahead.
    expect(legacy?.to?.getUTCDate()).toBe(1);
    expect(legacy?.to?.getTime()).toBeGreaterThan(Date.now() + DAY - 60_000);
    const bound = legacy?.to as Date;
    // The three indexes were attached, not built again: the old ones are now the partition's.
    const indexes = await pool.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent IN (SELECT oid FROM pg_class WHERE relname LIKE 'access_log_%_idx' AND relkind = 'I')
          AND c.relname LIKE 'access_log_legacy_%' ORDER BY 1`,
    );
    expect(indexes.rows.map((r) => r.relname)).toEqual([
      'access_log_legacy_jobseeker_client_idx',
      'access_log_legacy_jobseeker_read_at_idx',
      'access_log_legacy_read_at_idx',
    ]);
    await insertAccessLogEntries(pool, [
      { jobseekerId: JOBSEEKER, clientId: 'app', scope: 'statut', fields: ['code'], readAt: bound },
    ]);
    const added = await pool.query<{ id: string; part: string }>(
      "SELECT id::text, tableoid::regclass::text AS part FROM access_log WHERE scope = 'statut'",
    );
    expect(BigInt(added.rows[0]?.id ?? 0)).toBeGreaterThan(BigInt(ids.rows[0]?.max ?? 0));
    expect(added.rows[0]?.part).toBe(monthName(bound));
  });

  it('deletes the old rows past the retention in batches until the old partition can go whole', async () => {
    expect(await purgeLegacyRows(pool, 396, 50)).toBe(50);
    while ((await purgeLegacyRows(pool, 396, 50)) > 0);
    const { rows } = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM access_log_legacy WHERE read_at < now() - interval '396 days'",
    );
    expect(rows[0]?.n).toBe(0);
    expect((await pool.query('SELECT 1 FROM access_log_legacy')).rowCount).toBeGreaterThanOrEqual(395);
    // Its bound is ahead: it is not expired yet.
    const { partitionsDropped } = await dropExpiredAccessLogMonths(pool, 396);
    expect(partitionsDropped).toEqual([]);
  });
});
