// Forward-only SQL migrations from migrations/, applied by node-pg-migrate under its advisory lock so
// that several instances starting together apply each file exactly once. A missing or unreadable
// migrations folder is a StartupError that says so (node-pg-migrate would only report a failed scandir).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';
import { fsReason, StartupError } from '../startup-error.ts';

const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export async function migrate(databaseUrl: string, logger: Logger): Promise<void> {
  try {
    readdirSync(MIGRATIONS_DIR);
  } catch (err) {
    throw new StartupError(
      `Cannot read the migrations folder ${MIGRATIONS_DIR}: ${fsReason(err)}. The checkout is incomplete or not yours: restore it (git checkout -- migrations) or run as a user who can read it.`,
    );
  }
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    advisoryLockMode: 'wait',
    log: () => undefined,
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (msg: string) => logger.warn(msg),
      error: (msg: string) => logger.error(msg),
    },
  });
  if (applied.length) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
}
