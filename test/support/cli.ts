// Runs the operator CLI as a real child process (`node src/cli/main.ts …`) on a given database,
// with standard input a pipe (never a TTY) and the same secrets as the test servers (so the CLI and a
// server on one database can read each other's sealed values).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { NODE, outputOf, type ProviderResult } from './provider-process.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { SECRET, startTestServer, type TestServer } from './test-server.ts';

const CLI = path.resolve('src/cli/main.ts');

export type CliResult = ProviderResult;

export function runCli(
  args: string[],
  /** without databaseUrl, the CLI uses the embedded PostgreSQL of dataDir (running or not) */
  options: {
    databaseUrl?: string;
    dataDir?: string;
    stdin?: string;
    timeoutMs?: number;
    /** more environment (e.g. the ISSUER of the server the CLI shares a database with) */
    env?: Record<string, string>;
  },
): Promise<CliResult> {
  const child = spawn(NODE, [CLI, ...args], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}),
      KEYS_ENCRYPTION_KEY: SECRET,
      COOKIE_SECRETS: SECRET,
      PAIRWISE_SALT: SECRET,
      ...options.env,
    },
    timeout: options.timeoutMs ?? 30_000,
  });
  const result = outputOf(child);
  child.stdin.end(options.stdin ?? '');
  return result;
}

/**
 * The opening of a CLI test file: a test server and the CLI on one database, and a scratch folder;
 * set up before the file's tests and removed after them. Read `server`, `db` and `dir` inside tests.
 */
export function cliWithServer(folderPrefix: string) {
  const state: { db?: TestDatabase; server?: TestServer; dir?: string } = {};
  beforeAll(async () => {
    state.db = await createTestDatabase();
    state.server = await startTestServer({}, undefined, state.db);
    state.dir = mkdtempSync(path.join(tmpdir(), folderPrefix));
  });
  afterAll(async () => {
    await state.server?.close();
    await state.db?.drop();
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  });
  const set = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`cliWithServer: ${name} read before the file's beforeAll`);
    return value;
  };
  return {
    get db() {
      return set(state.db, 'db');
    },
    get server() {
      return set(state.server, 'server');
    },
    get dir() {
      return set(state.dir, 'dir');
    },
    /** the CLI on the server's database, its embedded data folder inside the scratch folder */
    runCli(args: string[], stdin = '') {
      return runCli(args, {
        databaseUrl: set(state.db, 'db').url,
        dataDir: path.join(set(state.dir, 'dir'), 'data'),
        stdin,
      });
    },
  };
}
