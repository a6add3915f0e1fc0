// The embedded PostgreSQL of `npm start` lives exactly as long as the provider that started it: a Ctrl-C
// (SIGINT to the terminal's process group), a SIGTERM sent to npm (which passes it to its shell only),
// even a SIGKILL of the provider, all leave no server holding the port or the data folder. Meanwhile the
// CLI of the same checkout finds the running server (whatever its port) and leaves it running; and when
// the preferred port is taken by another program, the server starts on a free one and says which.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { createLogger } from '../../src/logger.ts';
import { runCli } from '../support/cli.ts';
import { freePort } from '../support/demo-app.ts';
import { type RunningProvider, spawnProvider, waitForReady } from '../support/provider-process.ts';
import { SECRET } from '../support/test-server.ts';

let dir: string;
const started: RunningProvider[] = [];
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pec-embedded-life-'));
  // Enterable by the postgres user when the test runs as root, so the cluster stays in this folder.
  chmodSync(dir, 0o755);
});
afterAll(() => {
  for (const provider of started) if (provider.child.exitCode === null) provider.child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const dataDir = () => path.join(dir, 'data');

async function start(command?: string[]): Promise<{ provider: RunningProvider; base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const provider = spawnProvider(
    {
      NODE_ENV: 'test',
      PORT: String(port),
      ISSUER: base,
      DATA_DIR: dataDir(),
      KEYS_ENCRYPTION_KEY: SECRET,
      COOKIE_SECRETS: SECRET,
      PAIRWISE_SALT: SECRET,
      LOG_LEVEL: 'info',
    },
    command,
  );
  started.push(provider);
  await waitForReady(base, provider);
  return { provider, base };
}

/** The embedded server of the data folder, from its postmaster.pid (PID on line 1, port on line 4). */
function postmaster(): { pid: number; port: number } {
  const lines = readFileSync(path.join(dataDir(), 'pg', 'postmaster.pid'), 'utf8').split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function gone(pid: number, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await sleep(100);
  }
  return false;
}

async function portFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('the embedded PostgreSQL of npm start', () => {
  it('is found by the CLI of the same data folder, which leaves it running', async () => {
    const { provider, base } = await start();
    const server = postmaster();
    const listed = await runCli(['keys', 'list'], { dataDir: dataDir() });
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).alg),
    ).toEqual(expect.arrayContaining(['RS256', 'PS256', 'ES256']));
    expect(alive(server.pid)).toBe(true);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // Ctrl-C in a terminal: SIGINT to the whole foreground process group.
    process.kill(-(provider.child.pid as number), 'SIGINT');
    expect(await provider.exited).toBe(0);
    expect(await gone(server.pid)).toBe(true);
    expect(await portFree(server.port)).toBe(true);
    expect(existsSync(path.join(dataDir(), 'pg', 'postmaster.pid'))).toBe(false);
    expect(provider.output()).not.toMatch(/"level":(40|50|60)/);
  });

  it('stops when npm start is sent SIGTERM (npm passes it to its shell only)', async () => {
    const { provider } = await start(['npm', 'start']);
    const server = postmaster();
    process.kill(provider.child.pid as number, 'SIGTERM');
    expect(await gone(server.pid)).toBe(true);
    expect(await portFree(server.port)).toBe(true);
    // The provider itself drained and closed its connections before the server stopped (no client
    // cut off by the shutdown: no warning).
    const deadline = Date.now() + 5_000;
    while (!provider.output().includes('parent process exited') && Date.now() < deadline) await sleep(100);
    expect(provider.output()).toContain('shutting down: draining in-flight requests');
    expect(provider.output()).not.toMatch(/"level":(40|50|60)/);
  });

  it('stops when the provider is killed outright (SIGKILL)', async () => {
    const { provider } = await start();
    const server = postmaster();
    process.kill(provider.child.pid as number, 'SIGKILL');
    expect(await gone(server.pid)).toBe(true);
    expect(await portFree(server.port)).toBe(true);
  });
});

describe('the embedded port', () => {
  it('moves to a free port, and says so, when another program holds the preferred one', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const preferred = (holder.address() as { port: number }).port;
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const server = await startEmbeddedPostgres(
      { dir: path.join(dir, 'moved-port'), port: preferred, persistent: false },
      logger,
    );
    try {
      expect(server.port).not.toBe(preferred);
      expect(lines.join('')).toContain(
        `port ${preferred} is taken by another program: the embedded PostgreSQL listens on ${server.port}`,
      );
    } finally {
      await server.stop();
      holder.close();
    }
    expect(existsSync(server.dir)).toBe(false);
  });
});
