// Every expected start-up failure of `node src/main.ts` prints one line on stderr — what failed, the
// likely cause, the setting or command that fixes it — and exits non-zero, with no stack trace: a busy
// port (EMBEDDED_PG_PORT set explicitly, PORT), an unreachable DATABASE_URL, a wrong password in it, a
// missing migrations folder, an unreadable scopes/ folder, a DATA_DIR that cannot be written.
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { createLogger } from '../../src/logger.ts';
import { freePort } from '../support/demo-app.ts';
import { type ProviderResult, runProvider } from '../support/provider-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { SECRET } from '../support/test-server.ts';

// Root reads and writes any folder whatever its mode: the permission cases need another user.
const isRoot = process.getuid?.() === 0;

let dir: string;
let db: TestDatabase;
const held: Server[] = [];
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pec-startup-'));
  // Enterable by the postgres user when the test runs as root (the embedded cases keep their cluster here).
  chmodSync(dir, 0o755);
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const server of held) server.close();
  await db?.drop();
  if (dir) {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
});

function env(extra: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    KEYS_ENCRYPTION_KEY: SECRET,
    COOKIE_SECRETS: SECRET,
    PAIRWISE_SALT: SECRET,
    DATA_DIR: path.join(dir, 'data'),
    PORT: '0',
    ...extra,
  };
}

/** A port some other program listens on. */
async function busyPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  held.push(server);
  return (server.address() as { port: number }).port;
}

/** The single line a failed start prints, checked for the shape every such line has. */
function failureLine(result: ProviderResult): string {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.code, 'killed by the timeout instead of exiting').not.toBeNull();
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/undefined/);
  expect(lines[0]).toMatch(/^Startup failed: /);
  return lines[0] as string;
}

describe('start-up failures', () => {
  it('names the port and EMBEDDED_PG_PORT when that explicit port is taken', async () => {
    const port = await busyPort();
    const line = failureLine(await runProvider(env({ EMBEDDED_PG_PORT: String(port) })));
    expect(line).toContain(`port ${port} (EMBEDDED_PG_PORT)`);
    expect(line).toContain('unset it to let the provider pick one');
  });

  it('names PORT when the provider’s own port is taken', async () => {
    const port = await busyPort();
    const line = failureLine(await runProvider(env({ DATABASE_URL: db.url, PORT: String(port) })));
    expect(line).toContain(`127.0.0.1:${port} (PORT)`);
    expect(line).toContain('another program uses this port');
  });

  it('names DATABASE_URL when nothing answers there', async () => {
    const port = await freePort();
    const url = `postgres://someone:s3cret-pw@127.0.0.1:${port}/pec`;
    const line = failureLine(await runProvider(env({ DATABASE_URL: url })));
    expect(line).toContain(
      `Cannot connect to the database at 127.0.0.1:${port} (DATABASE_URL): connection refused`,
    );
    expect(line).toContain('unset DATABASE_URL to use the embedded PostgreSQL');
    expect(line).not.toContain('s3cret-pw');
  });

  it('says the password in DATABASE_URL was refused, without showing it', async () => {
    // A server that checks passwords (the machine's may trust every local connection).
    const server = await startEmbeddedPostgres(
      { dir: path.join(dir, 'password-pg'), port: 56_000 + (process.pid % 4_000), persistent: false },
      createLogger('silent'),
    );
    try {
      const url = `postgres://postgres:not-the-password@127.0.0.1:${server.port}/postgres`;
      const line = failureLine(await runProvider(env({ DATABASE_URL: url })));
      expect(line).toContain(`refused the password of user "postgres" (DATABASE_URL)`);
      expect(line).not.toContain('not-the-password');
    } finally {
      await server.stop();
    }
  });

  it('says the migrations folder is missing and how to restore it', async () => {
    // A copy of the sources without the migrations folder beside them.
    const checkout = path.join(dir, 'no-migrations');
    mkdirSync(checkout);
    cpSync(path.resolve('src'), path.join(checkout, 'src'), { recursive: true });
    symlinkSync(path.resolve('node_modules'), path.join(checkout, 'node_modules'));
    const line = failureLine(
      await runProvider(env({ DATABASE_URL: db.url }), {
        cwd: checkout,
        main: path.join(checkout, 'src/main.ts'),
      }),
    );
    expect(line).toContain(`migrations folder ${path.join(checkout, 'migrations')}`);
    expect(line).toContain('git checkout -- migrations');
  });

  it('says the scopes folder cannot be read when it is missing', async () => {
    const checkout = path.join(dir, 'no-scopes');
    mkdirSync(checkout);
    const line = failureLine(await runProvider(env({ DATABASE_URL: db.url }), { cwd: checkout }));
    expect(line).toContain(
      `could not be loaded: cannot read the scopes folder ${path.join(checkout, 'scopes')}: no such file or folder`,
    );
    expect(line).toContain('git checkout -- scopes');
  });

  it.skipIf(isRoot)('says the scopes folder cannot be read when its mode forbids it', async () => {
    const checkout = path.join(dir, 'unreadable-scopes');
    mkdirSync(path.join(checkout, 'scopes'), { recursive: true });
    chmodSync(path.join(checkout, 'scopes'), 0o000);
    try {
      const line = failureLine(await runProvider(env({ DATABASE_URL: db.url }), { cwd: checkout }));
      expect(line).toContain('could not be loaded: cannot read the scopes folder');
      expect(line).toContain('permission denied');
    } finally {
      chmodSync(path.join(checkout, 'scopes'), 0o755);
    }
  });

  it('names DATA_DIR when the development secrets cannot be written there', async () => {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, '');
    const result = await runProvider({
      NODE_ENV: 'development',
      DATA_DIR: path.join(file, 'data'),
      DATABASE_URL: db.url,
    });
    const line = failureLine(result);
    expect(result.code).toBe(78);
    expect(line).toContain(`data folder ${path.join(file, 'data')} (DATA_DIR)`);
  });

  it('names DATA_DIR when the embedded PostgreSQL cannot create its folder there', async () => {
    const file = path.join(dir, 'another-file');
    writeFileSync(file, '');
    const line = failureLine(await runProvider(env({ DATA_DIR: path.join(file, 'data') })));
    expect(line).toContain(`data folder ${path.join(file, 'data')} (DATA_DIR)`);
    expect(line).toContain('a part of the path is a file, not a folder');
  });

  it.skipIf(isRoot)('names DATA_DIR when its mode forbids writing', async () => {
    const readOnly = path.join(dir, 'read-only');
    mkdirSync(readOnly, { mode: 0o555 });
    const line = failureLine(
      await runProvider({ NODE_ENV: 'development', DATA_DIR: readOnly, DATABASE_URL: db.url }),
    );
    expect(line).toContain(`data folder ${readOnly} (DATA_DIR)`);
    expect(line).toContain('permission denied');
  });
});

describe('node src/main.ts', () => {
  it('exits quickly with a message naming DATABASE_URL when production is not configured', async () => {
    const started = Date.now();
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(path.resolve('node_modules/.bin/node'), ['src/main.ts'], {
        env: { PATH: process.env.PATH, NODE_ENV: 'production' },
        timeout: 15_000,
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull(); // exited by itself, not killed by the timeout
    expect(result.stderr).toContain('DATABASE_URL');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
