// Scale: does the provider stay as fast with a national population?
//   node bench/scale.ts --jobseekers 6e6 --consents 3e6 --reads 1e8
//  1. generates N jobseekers (scripts/generate-jobseekers.ts, precomputed argon2id hash) and imports
//     them with `npm run cli -- jobseekers import`, measuring rows/s and memory;
//  2. adds apps and the consents (with grant and refresh token), with bulk SQL;
//  3. writes the access log, `--reads` rows over 13 months, with SQL (bench/access-log-seed.ts);
//  4. builds a small database (10,000 jobseekers by default) the same way, with as many reads per
//     consent as the large one;
//  5. runs the API, refresh-token, userinfo, dashboard and access-log page scenarios on both,
//     alternately: large/small >= 0.9;
//  6. drops the oldest month of the large access log while reads run, timing the drop and the reads;
//  7. EXPLAINs every hot query on the large database.
// Each phase's time and the disk used are reported. `--keep` leaves the large database in place and
// `--reuse NAME` measures an existing one (steps 1-3 skipped), so the data is built once.
// Results: bench-results/scale.json, scale-details.json, explain-large.txt, and a table on stdout.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  detachAccessLogPartition,
  dropDetachedAccessLogTable,
  listAccessLogPartitions,
} from '../src/api/access-log-queries.ts';
import { createPool } from '../src/db/pool.ts';
import { createLogger } from '../src/logger.ts';
import { seedAccessLog } from './access-log-seed.ts';
import { alternate, type Measured } from './compare.ts';
import { startBenchPostgres } from './database.ts';
import { explainHotQueries, formatExplain } from './explain.ts';
import { measureImport } from './import-run.ts';
import { cannon } from './load.ts';
import { benchUsers, prepareChains, prepareDatabase } from './prepare.ts';
import { formatTable, type Row, row, writeResults } from './report.ts';
import type { ScenarioContext } from './scenarios/context.ts';
import { dashboardSessions, dashboardSide } from './scenarios/dashboard.ts';
import { benchPasswordHash, createBenchClient, seedConsents, seedPopulation } from './seed.ts';
import { catalog, type Stack, startStack } from './stack.ts';
import { bearerRequest, mintAccessTokens, refreshRequest } from './tokens.ts';

const log = (message: string) => process.stderr.write(`${message}\n`);

const { values } = parseArgs({
  options: {
    jobseekers: { type: 'string' },
    large: { type: 'string', default: '1000000' },
    consents: { type: 'string' },
    reads: { type: 'string' },
    small: { type: 'string', default: '10000' },
    keep: { type: 'boolean' },
    reuse: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'skip-import': { type: 'boolean' },
  },
});
const large = Number(values.jobseekers ?? values.large);
// By default the national proportions: half the jobseekers with a consent, 100 M reads a
// year for 6 M jobseekers.
const consents = Math.round(Number(values.consents ?? large / 2));
const reads = Math.round(Number(values.reads ?? (large * 100) / 6));
const small = Number(values.small);
const smallConsents = Math.round((small * consents) / large);
const smallReads = Math.round((reads * smallConsents) / Math.max(1, consents));
const timing = { warmupSeconds: 3, seconds: Number(values.seconds), rounds: Number(values.rounds) };
const connections = Number(values.connections);
const outDir = path.resolve('bench-results');
mkdirSync(outDir, { recursive: true });

async function importLarge(url: string) {
  const file = path.join(tmpdir(), `pec-scale-${large}.jsonl`);
  if (!existsSync(file)) {
    log(`generating ${large} jobseekers into ${file}…`);
    const hash = await benchPasswordHash();
    execFileSync(
      process.execPath,
      [
        'scripts/generate-jobseekers.ts',
        '--count',
        String(large),
        '--seed',
        '42',
        '--password-hash',
        hash,
        '--out',
        file,
      ],
      { stdio: 'inherit' },
    );
  }
  log(`importing ${large} lines with the CLI…`);
  const measured = await measureImport(url, file, large);
  rmSync(file);
  return measured;
}

const freeBytes = () => {
  const fs = statfsSync(tmpdir());
  return fs.bavail * fs.bsize;
};
const gib = (bytes: number) => Math.round((bytes / 2 ** 30) * 10) / 10;

async function addConsents(url: string, limit: number, population: number) {
  const pool = createPool(
    { connectionString: url, max: 2, connectTimeoutMs: 10_000, statementTimeoutMs: 3_600_000 },
    createLogger('warn'),
  );
  try {
    const apps = [];
    for (let i = 0; i < 20; i++) apps.push((await createBenchClient(pool, catalog, `App ${i}`)).clientId);
    const started = Date.now();
    const first = benchUsers(population, 100).map((u) => u.login);
    const count = await seedConsents(pool, apps, { limit, first });
    log(
      `  ${count} consents (+ events, grants, refresh tokens) in ${Math.round((Date.now() - started) / 1000)} s`,
    );
  } finally {
    await pool.end();
  }
}

function scaleRow(scenario: string, m: { candidate: Measured; baseline?: Measured }): Row {
  const base = m.baseline as Measured;
  const ratio = m.candidate.rps / base.rps;
  return row({
    scenario,
    rps: m.candidate.rps,
    p50_ms: m.candidate.p50,
    p99_ms: m.candidate.p99,
    errors: m.candidate.errors + base.errors,
    peak_rss_mb: m.candidate.peakRssMb,
    baseline_rps: base.rps,
    target: `>= 0.9 of ${small}`,
    meets_target: ratio >= 0.9 && m.candidate.errors + base.errors === 0,
  });
}

async function main() {
  const postgres = await startBenchPostgres();
  const details: Record<string, unknown> = {
    large,
    consents,
    reads,
    small,
    smallConsents,
    smallReads,
    timing,
    connections,
  };
  const phases: Record<string, number> = {};
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const result = await work();
    phases[name] = Math.round((Date.now() - t0) / 1000);
    log(`  ${name}: ${phases[name]} s, ${gib(freeBytes())} GiB free`);
    return result;
  };
  details.phases_s = phases;
  details.free_gib_at_start = gib(freeBytes());
  const rows: Row[] = [];
  const stacks: Stack[] = [];
  const largeDb = values.reuse ?? `pec_scale_large_${process.pid}`;
  let largeUrl = postgres.urlFor(largeDb);
  try {
    if (!values.reuse) {
      largeUrl = await postgres.create(largeDb);
      if (!values['skip-import']) {
        details.import = await phase('import', () => importLarge(largeUrl));
        log(`  import: ${JSON.stringify(details.import)}`);
      } else {
        await phase('population (bulk SQL)', () => bulkPopulation(largeUrl));
      }
      await phase('consents', () => addConsents(largeUrl, consents, large));
      details.access_log = await phase('access log', () =>
        withPool(largeUrl, (pool) => seedAccessLog(pool, reads)),
      );
      log(`  access log: ${JSON.stringify(details.access_log)}`);
    }
    details.large_database_gib = await withPool(largeUrl, async (pool) =>
      gib(
        Number(
          (await pool.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b')).rows[0]?.b,
        ),
      ),
    );
    log(`small database: ${small} jobseekers, ${smallConsents} consents, ${smallReads} reads…`);
    const smallUrl = await phase('small database', async () => {
      const url = await prepareDatabase(postgres, `pec_scale_small_${process.pid}`, small, {
        consents: smallConsents,
      });
      details.small_access_log = await withPool(url, (pool) => seedAccessLog(pool, smallReads));
      return url;
    });

    const logDir = path.join(outDir, 'logs');
    const smallStack = await startStack({
      name: 'small',
      databaseUrl: smallUrl,
      logDir,
      baselines: false,
      logLevel: 'info',
    });
    stacks.push(smallStack);
    const largeStack = await startStack({
      name: 'large',
      databaseUrl: largeUrl,
      logDir,
      baselines: false,
      logLevel: 'info',
    });
    stacks.push(largeStack);
    const need = connections * (timing.rounds + 2) * 2 + 200;
    const context = async (stack: Stack, population: number): Promise<ScenarioContext> => {
      const users = benchUsers(population, 100);
      return { stack, users, timing, connections, chains: await prepareChains(stack, users, need), details };
    };
    const s = await context(smallStack, small);
    const l = await context(largeStack, large);

    const bearerSide = async (ctx: ScenarioContext, path: string, resource?: string) => {
      const tokens = await mintAccessTokens(ctx.stack.oursRp, ctx.chains.ours, 200, resource);
      const request = bearerRequest(path, tokens);
      return {
        child: ctx.stack.ours,
        run: (seconds: number) =>
          cannon({ url: ctx.stack.ours.url, connections, seconds, requests: [request] }),
      };
    };
    log('scenario: api…');
    const api = await alternate(
      timing,
      await bearerSide(l, '/api/v1/competences', `${l.stack.ours.issuer}/api`),
      await bearerSide(s, '/api/v1/competences', `${s.stack.ours.issuer}/api`),
    );
    rows.push(scaleRow(`resource API read @${large}`, api));
    details.api = api;

    const refreshSide = (ctx: ScenarioContext) => ({
      child: ctx.stack.ours,
      run: (seconds: number) =>
        cannon({
          url: ctx.stack.ours.url,
          connections,
          seconds,
          requests: [refreshRequest(ctx.stack.oursRp, ctx.chains.ours, `${ctx.stack.ours.issuer}/api`)],
        }),
    });
    log('scenario: refresh…');
    const refresh = await alternate(timing, refreshSide(l), refreshSide(s));
    rows.push(scaleRow(`token endpoint: refresh @${large}`, refresh));
    details.refresh = refresh;

    log('scenario: userinfo…');
    const userinfo = await alternate(timing, await bearerSide(l, '/me'), await bearerSide(s, '/me'));
    rows.push(scaleRow(`userinfo @${large}`, userinfo));
    details.userinfo = userinfo;

    const largeCookies = await dashboardSessions(largeStack.ours, l.users.slice(0, 50));
    const smallCookies = await dashboardSessions(smallStack.ours, s.users.slice(0, 50));
    log('scenario: dashboard…');
    const dash = await alternate(
      timing,
      dashboardSide(l, largeStack.ours, largeCookies),
      dashboardSide(s, smallStack.ours, smallCookies),
    );
    rows.push(scaleRow(`dashboard: my consents @${large}`, dash));
    details.dashboard = dash;

    log('scenario: access-log page…');
    const page = await alternate(
      timing,
      dashboardSide(l, largeStack.ours, largeCookies, '/account/access-log'),
      dashboardSide(s, smallStack.ours, smallCookies, '/account/access-log'),
    );
    rows.push(scaleRow(`dashboard: access-log page @${large}`, page));
    details.access_log_page = page;

    log('retention: dropping the oldest month while reads run…');
    details.retention_drop = await measureDrop(largeStack, l, largeCookies);
    log(`  ${JSON.stringify(details.retention_drop)}`);

    log('EXPLAIN on the large database…');
    const explained = await explainHotQueries(largeStack.pool, largeStack.oursRp.clientId);
    writeFileSync(path.join(outDir, 'explain-large.txt'), `${formatExplain(explained)}\n`);
    details.explain = explained.map(({ plan: _plan, ...r }) => r);
    details.table_sizes = (
      await largeStack.pool.query(
        `SELECT c.relname AS table, c.reltuples::bigint AS rows,
                pg_size_pretty(pg_total_relation_size(c.oid)) AS size
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
          WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 10`,
      )
    ).rows;
    details.access_log_gib = gib(
      Number(
        (
          await largeStack.pool.query<{ b: string }>(
            `SELECT sum(pg_total_relation_size(inhrelid)) AS b FROM pg_inherits WHERE inhparent = 'access_log'::regclass`,
          )
        ).rows[0]?.b,
      ),
    );
  } finally {
    for (const stack of stacks) await stack.stop();
    if (values.keep || values.reuse) log(`kept the large database: ${largeDb}`);
    else await postgres.drop(largeDb).catch(() => undefined);
    await postgres.close();
  }
  details.free_gib_at_end = gib(freeBytes());
  writeResults(outDir, rows, 'scale.json');
  writeFileSync(path.join(outDir, 'scale-details.json'), `${JSON.stringify(details, null, 2)}\n`);
  process.stdout.write(
    `\n${formatTable(rows)}\n\nimport: ${JSON.stringify(details.import)}\naccess log: ${JSON.stringify(details.access_log)}\nretention drop: ${JSON.stringify(details.retention_drop)}\nphases (s): ${JSON.stringify(phases)}\n`,
  );
  const seq = (details.explain as { source: string; seqScan: boolean }[]).filter((e) => e.seqScan);
  process.stdout.write(
    `hot queries with a sequential scan: ${seq.length ? seq.map((e) => e.source).join(', ') : 'none'}\n`,
  );
}

async function withPool<T>(
  url: string,
  work: (pool: ReturnType<typeof createPool>) => Promise<T>,
): Promise<T> {
  const pool = createPool(
    { connectionString: url, max: 2, connectTimeoutMs: 10_000, statementTimeoutMs: 36_000_000 },
    createLogger('warn'),
  );
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

async function bulkPopulation(url: string) {
  const hash = await benchPasswordHash();
  await withPool(url, (pool) =>
    seedPopulation(pool, {
      from: 0,
      to: large,
      hash,
      onProgress: (done) => {
        if (done % 500_000 === 0) log(`  ${done} jobseekers`);
      },
    }),
  );
}

/**
 * A month's retention drop under load: the access-log page (which reads the partitioned table) and
 * API reads (which insert into it) run for 12 s; 4 s in, the oldest month is detached CONCURRENTLY
 * and dropped, as the housekeeping job does. The same load without a drop, just before, is the
 * reference for the reads' latency.
 */
async function measureDrop(stack: Stack, ctx: ScenarioContext, cookies: string[]) {
  const oldest = (await listAccessLogPartitions(stack.pool)).filter((p) => p.attached && p.from).at(0);
  if (!oldest) throw new Error('no month to drop');
  const rowsInMonth = Number(
    (await stack.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${oldest.name}`)).rows[0]?.n,
  );
  const tokens = await mintAccessTokens(stack.oursRp, ctx.chains.ours, 100, `${stack.ours.issuer}/api`);
  const load = () =>
    Promise.all([
      dashboardSide({ ...ctx, connections: connections / 2 }, stack.ours, cookies, '/account/access-log').run(
        12,
      ),
      cannon({
        url: stack.ours.url,
        connections: connections / 2,
        seconds: 12,
        requests: [bearerRequest('/api/v1/competences', tokens)],
      }),
    ]);
  const reference = await load();
  const during = load();
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const t0 = performance.now();
  await detachAccessLogPartition(stack.pool, oldest);
  const detachMs = performance.now() - t0;
  await dropDetachedAccessLogTable(stack.pool, oldest.name);
  const totalMs = performance.now() - t0;
  const [pageDuring, apiDuring] = await during;
  const [pageBefore, apiBefore] = reference;
  return {
    month: oldest.name,
    rows: rowsInMonth,
    detach_ms: Math.round(detachMs),
    drop_total_ms: Math.round(totalMs),
    page_without_drop: pageBefore,
    page_with_drop: pageDuring,
    api_without_drop: apiBefore,
    api_with_drop: apiDuring,
  };
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`scale bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
