// Scale: does the provider stay as fast with a national population? `node bench/scale.ts`
//  1. generates N jobseekers (scripts/generate-jobseekers.ts, precomputed argon2id hash) and imports
//     them with `npm run cli -- jobseekers import`, measuring rows/s and memory;
//  2. adds apps and one consent (with grant and refresh token) per jobseeker, with bulk SQL;
//  3. builds a small database (10,000 by default) the same way, with bulk SQL;
//  4. runs the API, refresh-token and dashboard scenarios on both, alternately: large/small >= 0.9;
//  5. EXPLAINs every hot query on the large database.
// Results: bench-results/scale.json, bench-results/explain-large.txt, and a table on stdout.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createPool } from '../src/db/pool.ts';
import { createLogger } from '../src/logger.ts';
import { alternate, type Measured } from './compare.ts';
import { startBenchPostgres } from './database.ts';
import { explainHotQueries, formatExplain } from './explain.ts';
import { measureImport } from './import-run.ts';
import { cannon } from './load.ts';
import { benchUsers, prepareChains, prepareDatabase } from './prepare.ts';
import { formatTable, type Row, row, writeResults } from './report.ts';
import type { ScenarioContext } from './scenarios/context.ts';
import { dashboardSessions, dashboardSide } from './scenarios/dashboard.ts';
import { benchPasswordHash, createBenchClient, seedConsents } from './seed.ts';
import { catalog, type Stack, startStack } from './stack.ts';
import { bearerRequest, mintAccessTokens, refreshRequest } from './tokens.ts';

const log = (message: string) => process.stderr.write(`${message}\n`);

const { values } = parseArgs({
  options: {
    large: { type: 'string', default: '1000000' },
    small: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'skip-import': { type: 'boolean' },
  },
});
const large = Number(values.large);
const small = Number(values.small);
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

async function addConsents(url: string) {
  const pool = createPool(
    { connectionString: url, max: 2, connectTimeoutMs: 10_000, statementTimeoutMs: 3_600_000 },
    createLogger('warn'),
  );
  try {
    const apps = [];
    for (let i = 0; i < 20; i++) apps.push((await createBenchClient(pool, catalog, `App ${i}`)).clientId);
    const started = Date.now();
    const count = await seedConsents(pool, apps);
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
  const details: Record<string, unknown> = { large, small, timing, connections };
  const rows: Row[] = [];
  const stacks: Stack[] = [];
  try {
    const largeDb = `pec_scale_large_${process.pid}`;
    const largeUrl = await postgres.create(largeDb);
    if (!values['skip-import']) {
      details.import = await importLarge(largeUrl);
      log(`  import: ${JSON.stringify(details.import)}`);
    }
    await addConsents(largeUrl);
    log(`small database: ${small} jobseekers…`);
    const smallUrl = await prepareDatabase(postgres, `pec_scale_small_${process.pid}`, small);

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
    const need = connections * (timing.rounds + 2) + 200;
    const context = async (stack: Stack, population: number): Promise<ScenarioContext> => {
      const users = benchUsers(population, 100);
      return { stack, users, timing, connections, chains: await prepareChains(stack, users, need), details };
    };
    const s = await context(smallStack, small);
    const l = await context(largeStack, large);

    const apiSide = async (ctx: ScenarioContext) => {
      const tokens = await mintAccessTokens(
        ctx.stack.oursRp,
        ctx.chains.ours,
        200,
        `${ctx.stack.ours.issuer}/api`,
      );
      const request = bearerRequest('/api/v1/competences', tokens);
      return {
        child: ctx.stack.ours,
        run: (seconds: number) =>
          cannon({ url: ctx.stack.ours.url, connections, seconds, requests: [request] }),
      };
    };
    log('scenario: api…');
    const api = await alternate(timing, await apiSide(l), await apiSide(s));
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

    log('scenario: dashboard…');
    const dash = await alternate(
      timing,
      dashboardSide(l, largeStack.ours, await dashboardSessions(largeStack.ours, l.users.slice(0, 50))),
      dashboardSide(s, smallStack.ours, await dashboardSessions(smallStack.ours, s.users.slice(0, 50))),
    );
    rows.push(scaleRow(`dashboard: my consents @${large}`, dash));
    details.dashboard = dash;

    log('EXPLAIN on the large database…');
    const explained = await explainHotQueries(largeStack.pool, largeStack.oursRp.clientId);
    writeFileSync(path.join(outDir, 'explain-large.txt'), `${formatExplain(explained)}\n`);
    details.explain = explained.map(({ plan: _plan, ...r }) => r);
    details.table_sizes = (
      await largeStack.pool.query(
        `SELECT relname AS table, n_live_tup AS rows, pg_size_pretty(pg_total_relation_size(relid)) AS size
           FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 10`,
      )
    ).rows;
  } finally {
    for (const stack of stacks) await stack.stop();
    await postgres.close();
  }
  writeResults(outDir, rows, 'scale.json');
  writeFileSync(path.join(outDir, 'scale-details.json'), `${JSON.stringify(details, null, 2)}\n`);
  process.stdout.write(`\n${formatTable(rows)}\n\nimport: ${JSON.stringify(details.import)}\n`);
  const seq = (details.explain as { source: string; seqScan: boolean }[]).filter((e) => e.seqScan);
  process.stdout.write(
    `hot queries with a sequential scan: ${seq.length ? seq.map((e) => e.source).join(', ') : 'none'}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`scale bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
