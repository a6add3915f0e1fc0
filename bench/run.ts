// `npm run bench`: starts PostgreSQL (DATABASE_URL's server or an embedded one), a throwaway database
// with a population, our provider and the baselines in child processes; drives each scenario from
// this process, baseline and candidate alternately; prints a table and writes bench-results/.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBenchPostgres } from './database.ts';
import { HELP, parseOptions } from './options.ts';
import { benchUsers, prepareChains, prepareDatabase } from './prepare.ts';
import { summariseProfiles } from './profile-summary.ts';
import { formatTable, type Row, writeResults } from './report.ts';
import type { ScenarioContext } from './scenarios/context.ts';
import { dashboard } from './scenarios/dashboard.ts';
import { apiRead, completeFlow, legacyApiRead, refreshGrant, userinfo } from './scenarios/protocol.ts';
import { revocation } from './scenarios/revocation.ts';
import { startStack } from './stack.ts';

const log = (message: string) => process.stderr.write(`${message}\n`);

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const started = Date.now();
  const outDir = path.resolve(options.outDir);
  const profileDir = options.profile ? path.join(outDir, 'profiles') : undefined;
  const postgres = await startBenchPostgres();
  const rows: Row[] = [];
  const details: Record<string, unknown> = { options: { ...options, only: [...options.only] } };
  try {
    log(`database: ${options.population} jobseekers…`);
    const url = await prepareDatabase(postgres, `pec_bench_${process.pid}`, options.population);
    const stack = await startStack({
      name: 'bench',
      databaseUrl: url,
      logDir: path.join(outDir, 'logs'),
      cpuProfDir: profileDir,
      baselines: true,
      logLevel: options.logLevel,
    });
    try {
      const users = benchUsers(options.population, options.users);
      // Minting access tokens borrows users × 2 chains; the refresh scenario loses at most one chain
      // per connection and run (the requests in flight when a run stops).
      const runs = options.timing.rounds + 1;
      const lost = options.only.has('refresh') ? options.connections * (runs + 1) : 0;
      const chains = await prepareChains(stack, users, lost + users.length * 2);
      const ctx: ScenarioContext = {
        stack,
        users,
        timing: options.timing,
        connections: options.connections,
        chains,
        details,
        transactions: stack.transactions,
      };
      const scenarios = [
        ['api', () => apiRead(ctx)],
        ['legacy-api', () => legacyApiRead(ctx)],
        ['refresh', () => refreshGrant(ctx)],
        ['userinfo', () => userinfo(ctx)],
        ['flow', () => completeFlow(ctx)],
        ['dashboard', () => dashboard(ctx)],
        [
          'revocation',
          () => revocation(ctx, options.quick ? { before: 1, after: 1 } : { before: 3, after: 3 }),
        ],
      ] as const;
      for (const [name, scenario] of scenarios) {
        if (!options.only.has(name)) continue;
        log(`scenario: ${name}…`);
        const result = await scenario();
        rows.push(result);
        log(formatTable([result]).split('\n').at(-1) as string);
      }
      details.provider_peak_rss_mb_since_start = stack.ours.peakRssMb();
    } finally {
      await stack.stop();
    }
  } finally {
    await postgres.close();
  }
  const file = writeResults(outDir, rows);
  writeFileSync(path.join(outDir, 'details.json'), `${JSON.stringify(details, null, 2)}\n`);
  process.stdout.write(`\n${formatTable(rows)}\n\n`);
  process.stdout.write(`${file} written in ${Math.round((Date.now() - started) / 1000)} s\n`);
  if (profileDir) process.stdout.write(`\n${summariseProfiles(profileDir)}\n`);
  const missed = rows.filter((r) => !r.meets_target).map((r) => r.scenario);
  if (missed.length) {
    process.stdout.write(
      `targets missed: ${missed.join('; ')}${options.quick ? ' (not judged in --quick)' : ''}\n`,
    );
  }
  // Missed targets are reported, not fatal (CI runs --quick and does not judge speed); an error —
  // a failed request where none should fail — means the harness or the server is broken.
  return rows.some((r) => r.errors > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
