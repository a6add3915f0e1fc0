// A bench database with a population: migrated schema, `population` jobseekers with their data, some
// apps, one consent (with its grant and refresh token) per jobseeker. Then the users the load logs in
// as, and refresh-token chains for our provider and for the bare one.
import { createPool } from '../src/db/pool.ts';
import { createLogger } from '../src/logger.ts';
import type { BenchPostgres } from './database.ts';
import {
  BENCH_PASSWORD,
  benchPasswordHash,
  createBenchClient,
  sampleIndexes,
  sampleLogin,
  seedConsents,
  seedPopulation,
} from './seed.ts';
import { catalog, type Stack } from './stack.ts';
import { issueChains, TokenPool } from './tokens.ts';

const log = (message: string) => process.stderr.write(`${message}\n`);

export async function prepareDatabase(
  postgres: BenchPostgres,
  name: string,
  population: number,
  /** fewer consents than jobseekers (the scale run's proportions); the load's users get theirs first */
  options: { consents?: number } = {},
): Promise<string> {
  const url = await postgres.create(name);
  const pool = createPool(
    { connectionString: url, max: 2, connectTimeoutMs: 10_000, statementTimeoutMs: 3_600_000 },
    createLogger('warn'),
  );
  try {
    const hash = await benchPasswordHash();
    const started = Date.now();
    await seedPopulation(pool, {
      from: 0,
      to: population,
      hash,
      onProgress: (done) => {
        if (done % 50_000 === 0) log(`  ${name}: ${done} jobseekers`);
      },
    });
    const apps = [];
    for (let i = 0; i < 20; i++) apps.push((await createBenchClient(pool, catalog, `App ${i}`)).clientId);
    const consents = await seedConsents(pool, apps, {
      limit: options.consents,
      first: benchUsers(population, 100).map((u) => u.login),
    });
    log(
      `  ${name}: ${population} jobseekers, ${consents} consents in ${Math.round((Date.now() - started) / 1000)} s`,
    );
  } finally {
    await pool.end();
  }
  return url;
}

export function benchUsers(population: number, count: number) {
  return sampleIndexes(population, count).map((i) => ({ login: sampleLogin(i), password: BENCH_PASSWORD }));
}

/** Enough chains that every measured run can lose `connections` in flight and the pool still suffices. */
export async function prepareChains(
  stack: Stack,
  users: { login: string; password: string }[],
  needed: number,
): Promise<{ ours: TokenPool; bare?: TokenPool }> {
  const perUser = Math.max(1, Math.ceil(needed / users.length));
  const started = Date.now();
  const ours = new TokenPool(await issueChains(stack.oursRp, users, perUser));
  const bare = stack.bareRp ? new TokenPool(await issueChains(stack.bareRp, users, perUser)) : undefined;
  log(
    `  ${ours.size} + ${bare?.size ?? 0} refresh-token chains in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  return { ours, bare };
}
