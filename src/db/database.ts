// Where the data lives: DATABASE_URL when set, otherwise an embedded PostgreSQL in the data folder.
// Either way the same pool, SQL and migrations are used. A DATABASE_URL that cannot be reached, or
// refuses the user or password in it, is a StartupError naming the host, the cause and DATABASE_URL
// (never the password).
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { createAccessLogPartitions } from '../jobs/access-log-retention.ts';
import { StartupError } from '../startup-error.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { migrate } from './migrate.ts';
import { createPool, type Pool } from './pool.ts';

export interface Database {
  pool: Pool;
  /** a pool on the streaming replica of DATABASE_READ_URL, when configured (src/db/read-routing.ts) */
  readPool?: Pool;
  url: string;
  close(): Promise<void>;
}

export async function openDatabase(
  config: Config,
  logger: Logger,
  options: { migrate?: boolean } = {},
): Promise<Database> {
  if (config.databaseUrl) await checkDatabaseUrl(config.databaseUrl, config.db.connectTimeoutMs);
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(
        {
          dir: path.join(config.dataDir, 'pg'),
          port: config.embeddedPgPort,
          portFixed: config.embeddedPgPortFixed,
        },
        logger,
      );
  try {
    const url = config.databaseUrl ?? (embedded?.url as string);
    if (options.migrate !== false) await migrate(url, logger);
    const pool = createPool(
      {
        connectionString: url,
        max: config.db.poolMax,
        connectTimeoutMs: config.db.connectTimeoutMs,
        statementTimeoutMs: config.db.statementTimeoutMs,
      },
      logger,
    );
    const readPool = config.databaseReadUrl
      ? createPool(
          {
            connectionString: config.databaseReadUrl,
            max: config.db.poolMax,
            connectTimeoutMs: config.db.connectTimeoutMs,
            statementTimeoutMs: config.db.statementTimeoutMs,
            applicationName: 'pole-emploi-connect-read',
          },
          logger,
        )
      : undefined;
    // The access log's months ahead exist before this instance logs its first read (migration 082).
    if (options.migrate !== false) await createAccessLogPartitions(pool);
    return {
      pool,
      readPool,
      url,
      async close() {
        await pool.end();
        await readPool?.end();
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}

export async function checkDatabaseUrl(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new StartupError(describeConnectionError(url, err as Error & { code?: string }, timeoutMs));
  } finally {
    await client.end().catch(() => undefined);
  }
}

function describeConnectionError(url: string, err: Error & { code?: string }, timeoutMs: number): string {
  const parsed = new URL(url);
  const where = `${parsed.hostname || 'localhost'}:${parsed.port || 5432}`;
  const user = decodeURIComponent(parsed.username) || 'the current user';
  const database = decodeURIComponent(parsed.pathname.slice(1)) || user;
  const fallback = 'or unset DATABASE_URL to use the embedded PostgreSQL';
  switch (err.code) {
    case 'ECONNREFUSED':
      return `Cannot connect to the database at ${where} (DATABASE_URL): connection refused, no PostgreSQL listens there. Start it, correct DATABASE_URL, ${fallback}.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Cannot connect to the database at ${where} (DATABASE_URL): the host ${parsed.hostname} is unknown. Correct DATABASE_URL, ${fallback}.`;
    case '28P01':
      return `The database at ${where} refused the password of user "${user}" (DATABASE_URL): correct the password in DATABASE_URL (percent-encode its special characters).`;
    case '28000':
      return `The database at ${where} refused user "${user}" (DATABASE_URL): ${err.message}. Correct the user in DATABASE_URL, or allow it in the server's pg_hba.conf.`;
    case '3D000':
      return `The database "${database}" does not exist at ${where} (DATABASE_URL): create it (createdb -h ${parsed.hostname || 'localhost'} -p ${parsed.port || 5432}${parsed.username ? ` -U ${user}` : ''} ${database}) or correct DATABASE_URL.`;
  }
  if (/timeout/i.test(err.message))
    return `Cannot connect to the database at ${where} (DATABASE_URL): no answer within ${timeoutMs} ms (DB_CONNECT_TIMEOUT_MS). Check that PostgreSQL runs there and that the network lets you through, correct DATABASE_URL, ${fallback}.`;
  return `Cannot connect to the database at ${where} (DATABASE_URL): ${err.message}. Correct DATABASE_URL, ${fallback}.`;
}
