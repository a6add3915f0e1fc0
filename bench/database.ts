// The PostgreSQL a bench run works on: the server named by DATABASE_URL when set, otherwise an embedded
// one in a temporary folder. Either way every database the run needs is created fresh, migrated with
// the project's own migrations, and dropped at the end, so nothing of a run is left behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { migrate } from '../src/db/migrate.ts';
import { createLogger } from '../src/logger.ts';

export interface BenchPostgres {
  /** a URL of the same server for another database name */
  urlFor(name: string): string;
  /** creates (or recreates) a migrated database and returns its URL */
  create(name: string): Promise<string>;
  drop(name: string): Promise<void>;
  /** drops what this run created and stops the embedded server if there is one */
  close(): Promise<void>;
}

export function withDatabase(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.href;
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const logger = createLogger('warn');
  let adminUrl = process.env.DATABASE_URL;
  let dir: string | undefined;
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  if (!adminUrl) {
    dir = mkdtempSync(path.join(tmpdir(), 'pec-bench-pg-'));
    // Away from the test suite's range (55000+) and the default embedded port.
    embedded = await startEmbeddedPostgres(
      { dir, port: 50_000 + (process.pid % 5_000), persistent: false },
      logger,
    );
    adminUrl = embedded.url;
  }
  const base = adminUrl;
  const created = new Set<string>();
  const drop = async (name: string) => {
    await admin(base, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    created.delete(name);
  };
  return {
    urlFor: (name) => withDatabase(base, name),
    async create(name) {
      if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`);
      await admin(base, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.query(`CREATE DATABASE ${name}`);
      });
      created.add(name);
      const url = withDatabase(base, name);
      await migrate(url, logger);
      return url;
    },
    drop,
    async close() {
      for (const name of [...created]) await drop(name).catch(() => undefined);
      await embedded?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
