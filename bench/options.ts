// Command-line options of `npm run bench`. Defaults finish in well under ten minutes on two cores;
// --quick runs every scenario for a few seconds on small data, to prove the harness works (CI).
import { parseArgs } from 'node:util';
import type { Timing } from './compare.ts';

export const SCENARIOS = [
  'api',
  'legacy-api',
  'refresh',
  'userinfo',
  'flow',
  'dashboard',
  'revocation',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  quick: boolean;
  only: Set<ScenarioName>;
  timing: Timing;
  connections: number;
  population: number;
  users: number;
  profile: boolean;
  logLevel: string;
  outDir: string;
}

export const HELP = `Usage: npm run bench -- [--quick] [--only api,refresh,…] [--profile] [options]

  --quick              a few seconds per scenario on small data (what CI runs; never fails on targets)
  --only LIST          scenarios among ${SCENARIOS.join(', ')}
  --profile            write CPU profiles of the provider and the baselines (bench-results/profiles/)
                       and summarise them
  --seconds N          length of one measured run (default 10)
  --rounds N           baseline/candidate alternations (default 3)
  --connections N      concurrent connections (default 50)
  --population N       jobseekers (and consents) in the database (default 10000)
  --log-level LEVEL    the provider's LOG_LEVEL (default info, as in production)

PostgreSQL: DATABASE_URL's server when set (a throwaway database is created and dropped there),
otherwise an embedded PostgreSQL in a temporary folder.`;

export function parseOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean' },
      quick: { type: 'boolean' },
      only: { type: 'string' },
      profile: { type: 'boolean' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      population: { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  if (values.help) return undefined;
  const quick = values.quick ?? false;
  const number = (value: string | undefined, fallback: number) => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`not a positive whole number: ${value}`);
    return n;
  };
  const only = new Set((values.only?.split(',') ?? SCENARIOS).map((s) => s.trim()) as ScenarioName[]);
  for (const name of only) if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario ${name}`);
  return {
    quick,
    only,
    timing: {
      warmupSeconds: quick ? 1 : 3,
      seconds: number(values.seconds, quick ? 2 : 10),
      rounds: number(values.rounds, quick ? 1 : 3),
    },
    connections: number(values.connections, quick ? 10 : 50),
    population: number(values.population, quick ? 300 : 10_000),
    users: quick ? 10 : 100,
    profile: values.profile ?? false,
    logLevel: values['log-level'] ?? 'info',
    outDir: 'bench-results',
  };
}
