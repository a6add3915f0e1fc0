// Runs the embedded PostgreSQL's binaries: initdb for a new cluster, then the server under a small sh
// supervisor. The supervisor's standard input is a pipe from us, so however this process ends (stop(),
// a crash, SIGKILL) the pipe closes and the supervisor stops PostgreSQL with a fast shutdown; supervisor
// and server have their own process group, so a Ctrl-C in the terminal reaches only us (`npm start`
// drains its requests, then calls stop()). Failures are StartupErrors quoting PostgreSQL's own reason.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { StartupError } from '../startup-error.ts';
import type { EmbeddedFiles, RunAs } from './embedded-postgres-files.ts';

const PASSWORD = 'embedded';
const LOG_FILE = 'embedded.log';
const READY_TIMEOUT_MS = 60_000;
const SMART_SHUTDOWN_MS = 3_000;
const STOP_TIMEOUT_MS = 20_000;
const run = promisify(execFile);

export const urlFor = (port: number, database: string) =>
  `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`;

/** The port was taken by another program when the server tried to bind it. */
export class PortTaken extends StartupError {}

export interface Launched {
  stop(): Promise<void>;
}

// The server's messages in English whatever the user's locale: failures are recognised by their text.
const serverEnv = () => ({ ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' });

export async function initialise(files: EmbeddedFiles, persistent: boolean): Promise<void> {
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

// The supervisor: "$@" is the postgres command line. SIGTERM asks PostgreSQL for a smart shutdown (it
// waits for the sessions still closing, so that no client is cut off mid-goodbye); SIGINT, or end of
// file on its standard input — our pipe: we are gone, however we went — for a fast shutdown
// (PostgreSQL, "Shutting Down the Server"). A throwaway cluster ($REMOVE_AFTER: the test suite's) is
// deleted once the server is down, even when the process that asked for it could not clean up (a test
// run cut short with Ctrl-C).
const SUPERVISOR = `
exec 3<&0 </dev/null
"$@" 3<&- &
pg=$!
trap 'kill -TERM "$pg" 2>/dev/null' TERM
trap 'kill -INT "$pg" 2>/dev/null' INT HUP
( read -r _ <&3; kill -INT "$pg" 2>/dev/null ) &
watch=$!
exec 3<&-
code=1
while kill -0 "$pg" 2>/dev/null; do wait "$pg"; code=$?; done
kill "$watch" 2>/dev/null
if [ -n "$REMOVE_AFTER" ]; then rm -rf -- "$REMOVE_AFTER"; fi
exit "$code"
`;

export async function launch(
  files: EmbeddedFiles,
  port: number,
  options: { throwaway: boolean },
): Promise<Launched> {
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
      env: { ...serverEnv(), REMOVE_AFTER: options.throwaway ? dir : '' },
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
    if (!exited) child.kill('SIGINT');
  };
  process.on('exit', onExit);
  // Smart shutdown first; sessions still open after a few seconds (a psql left open) are ended by a
  // fast one; a server still up long after that, by an immediate one of the whole group.
  const escalate = (signal: NodeJS.Signals, group: boolean) => {
    try {
      if (child.pid) process.kill(group ? -child.pid : child.pid, signal);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (!exited) {
      child.ref();
      child.kill('SIGTERM');
      const timers = [
        setTimeout(() => escalate('SIGINT', false), SMART_SHUTDOWN_MS),
        setTimeout(() => escalate('SIGQUIT', true), STOP_TIMEOUT_MS),
      ];
      await exit;
      for (const timer of timers) clearTimeout(timer);
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

/** undefined when the server answers, otherwise why not */
export async function tryConnect(port: number): Promise<string | undefined> {
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
