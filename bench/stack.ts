// What the scenarios run against: for one bench database, our provider (src/main.ts, unchanged, in
// production mode behind the stand-in TLS proxy), and the baselines (a bare Koa API handler and a bare
// oidc-provider), each in its own child process, plus the relying parties registered with each.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCatalog } from '../src/catalog/load-catalog.ts';
import { createPool, type Pool } from '../src/db/pool.ts';
import { createLogger } from '../src/logger.ts';
import { type ServerChild, spawnServer } from './child.ts';
import type { RelyingParty } from './flow.ts';
import {
  BENCH_COOKIE_SECRET,
  BENCH_PAIRWISE_SALT,
  BENCH_SECRET,
  createBenchClient,
  REDIRECT_URI,
} from './seed.ts';

export interface StackOptions {
  name: string;
  databaseUrl: string;
  logDir: string;
  /** write a CPU profile of our provider and of the baselines when they stop */
  cpuProfDir?: string;
  /** also start the baselines */
  baselines: boolean;
  logLevel: string;
}

/**
 * Where our provider's code is taken from: this tree, or BENCH_PROVIDER_ROOT — e.g. a snapshot of a
 * commit (`git archive HEAD | tar -x -C DIR`, node_modules linked), to measure a fixed version while
 * the working tree changes.
 */
export const providerRoot = path.resolve(process.env.BENCH_PROVIDER_ROOT ?? '.');

export interface Stack {
  pool: Pool;
  ours: ServerChild;
  oursRp: RelyingParty;
  bareKoa?: ServerChild;
  bareOidc?: ServerChild;
  bareRp?: RelyingParty;
  /** starts another instance of our provider on the same database */
  another(name: string): Promise<ServerChild>;
  /** the database's transaction counter: every autocommitted statement counts one */
  transactions(): Promise<number>;
  stop(): Promise<void>;
}

export const catalog = loadCatalog(path.resolve('scopes'));

/** The pg pool size of every server, ours and the baselines alike (the provider's default is 10). */
const POOL_MAX = process.env.BENCH_DB_POOL_MAX ?? '10';

/** The node options of `npm start` (heap sizing): the provider runs as it is deployed. */
export function startNodeArgs(root = '.'): string[] {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const words = pkg.scripts.start.split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'src/main.ts') {
    throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  }
  return words.slice(1, -1);
}

export function providerEnv(databaseUrl: string, logLevel: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    KEYS_ENCRYPTION_KEY: BENCH_SECRET,
    COOKIE_SECRETS: BENCH_COOKIE_SECRET,
    PAIRWISE_SALT: BENCH_PAIRWISE_SALT,
    // The operator's texts, which production requires for the public pages (src/config.ts).
    OPERATOR_NAME: 'Banc d’essai',
    OPERATOR_ADDRESS: '127.0.0.1',
    PUBLICATION_DIRECTOR: 'Banc d’essai',
    HOSTING_PROVIDER: 'Cette machine',
    CONTACT_EMAIL: 'bench@example.invalid',
    DPO_CONTACT: 'bench@example.invalid',
    ACCOUNT_HELP_URL: 'https://example.invalid/',
    TRUST_PROXY: 'true',
    LOG_LEVEL: logLevel,
    DB_POOL_MAX: POOL_MAX,
    // The bench measures throughput, not the legacy APIs' per-app limiter (its counter is still
    // paid): one bench app makes every request, far past any real app's limit.
    LEGACY_API_RATE_LIMIT: '1000000/1000000',
    // e.g. BENCH_NODE_OPTIONS=--max-semi-space-size=8 to see what a V8 setting does to memory.
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    // e.g. BENCH_PROVIDER_ENV='{"MALLOC_ARENA_MAX":"2"}' to see what an allocator setting does.
    ...(process.env.BENCH_PROVIDER_ENV
      ? (JSON.parse(process.env.BENCH_PROVIDER_ENV) as Record<string, string>)
      : {}),
  };
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const pool = createPool(
    { connectionString: options.databaseUrl, max: 8, connectTimeoutMs: 10_000, statementTimeoutMs: 600_000 },
    createLogger('warn'),
  );
  const env = providerEnv(options.databaseUrl, options.logLevel);
  const started: ServerChild[] = [];
  const spawnOurs = async (name: string, cpuProfDir?: string, issuer?: string) => {
    const child = await spawnServer({
      name,
      script: 'src/main.ts',
      cwd: providerRoot,
      nodeArgs: startNodeArgs(providerRoot),
      env,
      logDir: options.logDir,
      cpuProfDir,
      issuer,
    });
    started.push(child);
    return child;
  };
  const ours = await spawnOurs(`${options.name}-provider`, options.cpuProfDir);
  const client = await createBenchClient(pool, catalog, `Banc ${options.name}`);
  const oursRp = { issuer: ours.issuer, ...client };

  let bareKoa: ServerChild | undefined;
  let bareOidc: ServerChild | undefined;
  let bareRp: RelyingParty | undefined;
  if (options.baselines) {
    const bareClient = { clientId: 'bare-bench', clientSecret: randomBytes(24).toString('base64url') };
    const bareClients = [
      {
        client_id: bareClient.clientId,
        client_secret: bareClient.clientSecret,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid profile email offline_access',
      },
    ];
    // The API baseline checks the audience of our tokens, so it is told our issuer's API.
    bareKoa = await spawnServer({
      name: `${options.name}-bare-koa`,
      script: 'bench/servers/bare-koa.ts',
      env: { DATABASE_URL: options.databaseUrl, DB_POOL_MAX: POOL_MAX, API_AUDIENCE: `${ours.issuer}/api` },
      logDir: options.logDir,
      cpuProfDir: options.cpuProfDir,
    });
    bareOidc = await spawnServer({
      name: `${options.name}-bare-oidc`,
      script: 'bench/servers/bare-oidc.ts',
      env: { ...env, BARE_CLIENTS: JSON.stringify(bareClients) },
      logDir: options.logDir,
      cpuProfDir: options.cpuProfDir,
    });
    started.push(bareKoa, bareOidc);
    bareRp = { issuer: bareOidc.issuer, ...bareClient, redirectUri: REDIRECT_URI };
  }

  return {
    pool,
    ours,
    oursRp,
    bareKoa,
    bareOidc,
    bareRp,
    async transactions() {
      const { rows } = await pool.query<{ n: string }>(
        'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
      );
      return Number(rows[0]?.n);
    },
    // Instances behind one load balancer share the issuer (and so the API audience of their tokens).
    another: (name) => spawnOurs(`${options.name}-${name}`, undefined, ours.issuer),
    async stop() {
      await Promise.all(started.map((child) => child.stop()));
      await pool.end();
    },
  };
}
