// One PostgreSQL for the whole run: the server named by DATABASE_URL when set (CI uses the machine's
// PostgreSQL 15), otherwise an embedded one in a temporary folder. Migrations are applied once to a
// template database; each test file clones it (CREATE DATABASE … TEMPLATE), so every file runs on
// the real schema, isolated from the others.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/logger.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
  }
}

export function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.href;
}

export default async function setup(project: TestProject) {
  const logger = createLogger('silent');
  let adminUrl = process.env.DATABASE_URL;
  let dir: string | undefined;
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  if (!adminUrl) {
    dir = mkdtempSync(path.join(tmpdir(), 'pec-test-pg-'));
    const port = 55_000 + (process.pid % 5_000);
    embedded = await startEmbeddedPostgres({ dir, port, persistent: false }, logger);
    adminUrl = embedded.url;
  }
  const templateDb = `pec_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${templateDb}`);
  await admin.query(`CREATE DATABASE ${templateDb}`);
  await admin.end();
  await migrate(databaseUrl(adminUrl, templateDb), logger);

  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', templateDb);

  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${templateDb} WITH (FORCE)`);
    await client.end();
    await embedded?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
