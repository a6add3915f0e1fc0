// A year of the access log for the scale runs, written by SQL (generate_series), never through HTTP:
// `reads` rows spread evenly over the current month and the 12 before it (13 months, the retention),
// each the read of one consent's jobseeker by that consent's app, in time order as a live log is.
// Each month is loaded into a table of its own, indexed, vacuumed (this server runs without
// autovacuum; production's would set the visibility map the same way) and then attached to
// access_log: the same partitions, indexes and names as access_log_ensure_partitions() creates
// (migration 082), built the fast way.
import type { Pool } from '../src/db/pool.ts';

const log = (message: string) => process.stderr.write(`${message}\n`);

export interface AccessLogSeed {
  rows: number;
  months: number;
  seconds: number;
  rows_per_second: number;
  /** heap and indexes of the access log once loaded */
  bytes: number;
}

export async function seedAccessLog(pool: Pool, reads: number, months = 13): Promise<AccessLogSeed> {
  const started = Date.now();
  const client = await pool.connect();
  try {
    await client.query("SET maintenance_work_mem = '1GB'");
    await client.query("SET work_mem = '512MB'");
    await client.query('SET statement_timeout = 0');
    await client.query('DROP TABLE IF EXISTS bench_readers');
    await client.query(
      `CREATE UNLOGGED TABLE bench_readers AS
         SELECT (row_number() OVER (ORDER BY id) - 1)::bigint AS k, jobseeker_id, client_id FROM consents`,
    );
    const readers = Number(
      (await client.query<{ n: string }>('SELECT count(*) AS n FROM bench_readers')).rows[0]?.n ?? 0,
    );
    if (!readers) throw new Error('no consents to read under');
    await client.query('CREATE UNIQUE INDEX ON bench_readers (k)');
    await client.query('ANALYZE bench_readers');
    const { rows: monthRows } = await client.query<{ start: Date; end: Date; name: string }>(
      `SELECT (m AT TIME ZONE 'UTC') AS start, least((m + interval '1 month') AT TIME ZONE 'UTC', now()) AS end,
              'access_log_' || to_char(m, 'YYYY_MM') AS name
         FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => $1 - 1),
                              date_trunc('month', now() AT TIME ZONE 'UTC'), interval '1 month') AS m
        ORDER BY m`,
      [months],
    );
    const span = monthRows.reduce((sum, m) => sum + (m.end.getTime() - m.start.getTime()), 0);
    let id = 0;
    for (const month of monthRows) {
      const count = Math.round((reads * (month.end.getTime() - month.start.getTime())) / span);
      const t0 = Date.now();
      if (!/^access_log_\d{4}_\d{2}$/.test(month.name)) throw new Error(`bad name ${month.name}`);
      const exists = await client.query(`SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass($1)`, [
        month.name,
      ]);
      if (exists.rowCount) {
        await client.query(`ALTER TABLE access_log DETACH PARTITION ${month.name}`);
        await client.query(`DROP TABLE ${month.name}`);
      }
      await client.query(`CREATE TABLE ${month.name} (LIKE access_log)`);
      // Row g of the month: read_at moves forward with g; the consent read is spread by a
      // multiplicative hash, so a jobseeker's reads fall all over the month, as in a live log.
      await client.query(
        `INSERT INTO ${month.name} (id, jobseeker_id, client_id, scope, fields, read_at)
         SELECT $1::bigint + g, r.jobseeker_id, r.client_id,
                CASE WHEN g % 3 = 0 THEN 'statut' ELSE 'competences' END,
                CASE WHEN g % 3 = 0 THEN '{libelleStatutIndividu}'::text[] ELSE '{code,libelle}'::text[] END,
                $2::timestamptz + ($3::timestamptz - $2::timestamptz) * (g::float8 / ($4::bigint + 1))
           FROM generate_series(1, $4::bigint) AS g
           JOIN bench_readers r ON r.k = (g * 2654435761 + $1::bigint) % $5::bigint`,
        [id, month.start, month.end, count, readers],
      );
      for (const index of [
        '(jobseeker_id, read_at DESC, id DESC)',
        '(jobseeker_id, client_id, scope, read_at)',
        '(read_at)',
      ]) {
        await client.query(`CREATE INDEX ON ${month.name} ${index}`);
      }
      await client.query(
        `ALTER TABLE access_log ATTACH PARTITION ${month.name} FOR VALUES FROM ('${month.start.toISOString()}') TO ('${new Date(
          Date.UTC(month.start.getUTCFullYear(), month.start.getUTCMonth() + 1, 1),
        ).toISOString()}')`,
      );
      await client.query(`VACUUM (ANALYZE) ${month.name}`);
      id += count;
      log(`  access log ${month.name}: ${count} rows in ${Math.round((Date.now() - t0) / 1000)} s`);
    }
    await client.query(`ALTER TABLE access_log ALTER COLUMN id RESTART WITH ${id + 1}`);
    await client.query('DROP TABLE bench_readers');
    await client.query(`SELECT access_log_ensure_partitions(now(), now() + interval '3 months')`);
    const bytes = Number(
      (
        await client.query<{ b: string }>(
          `SELECT sum(pg_total_relation_size(inhrelid)) AS b FROM pg_inherits WHERE inhparent = 'access_log'::regclass`,
        )
      ).rows[0]?.b ?? 0,
    );
    const seconds = (Date.now() - started) / 1000;
    return { rows: id, months: monthRows.length, seconds, rows_per_second: Math.round(id / seconds), bytes };
  } finally {
    client.release();
  }
}
