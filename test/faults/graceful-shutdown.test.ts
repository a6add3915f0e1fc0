// SIGTERM on the real entry point (`node src/main.ts` as a child process): the server stops taking
// connections, lets the request in flight finish with its normal answer, then exits 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const SECRET = 'shutdown-test-secret-0123456789abcdef0123';
const NODE = path.resolve('node_modules/.bin/node');

let db: TestDatabase;
let dir: string;
let child: ChildProcess | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'pec-shutdown-'));
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('graceful shutdown', () => {
  it('drains the request in flight on SIGTERM, refuses new connections, and exits 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let output = '';
    child = spawn(NODE, ['src/main.ts'], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        PORT: String(port),
        ISSUER: base,
        DATABASE_URL: db.url,
        DATA_DIR: path.join(dir, 'data'),
        KEYS_ENCRYPTION_KEY: SECRET,
        COOKIE_SECRETS: SECRET,
        PAIRWISE_SALT: SECRET,
        DEMO_APP: 'false',
        SEED_DEMO_DATA: 'false',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));

    for (let i = 0; i < 200; i++) {
      const ready = await fetch(`${base}/readyz`).catch(() => undefined);
      if (ready?.status === 200) break;
      await wait(100);
    }
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // A slow request: the test holds a lock on the clients table, so client authentication at /token
    // waits on it until the test lets go.
    const locker = await db.pool.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE clients IN ACCESS EXCLUSIVE MODE');
    const started = performance.now();
    const inFlight = fetch(`${base}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('no-such-app:wrong').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'http://x/' }),
    }).catch((err: Error) => err);
    // Wait until the request is really waiting inside the server, on the lock.
    await eventually(async () => {
      const { rows } = await db.pool.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      expect(rows.length).toBeGreaterThan(0);
    });

    child.kill('SIGTERM');
    await wait(500);
    // Still draining: the process is alive and no longer accepts connections.
    expect(child.exitCode).toBeNull();
    const refused = await fetch(`${base}/healthz`).then(
      () => 'accepted',
      (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message,
    );
    expect(refused).toBe('ECONNREFUSED');

    await locker.query('COMMIT');
    locker.release();
    const response = await inFlight;
    if (response instanceof Error) throw response;
    // The normal answer for unknown client credentials, not a reset connection or a 5xx.
    expect(response.status).toBe(401);
    expect((await response.json()).error).toBe('invalid_client');
    expect(performance.now() - started).toBeGreaterThan(500);

    expect(await exited).toBe(0);
    expect(output).toContain('shutting down: draining in-flight requests');
  }, 45_000);
});
