// Runs the operator CLI as a real child process (`node src/cli/main.ts …`) on a given database,
// with standard input a pipe (never a TTY) and the same secrets as the test servers (so the CLI and a
// server on one database can read each other's sealed values).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { NODE, outputOf, type ProviderResult } from './provider-process.ts';
import { SECRET } from './test-server.ts';

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
