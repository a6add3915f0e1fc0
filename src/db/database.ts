// Where the data lives: DATABASE_URL when set, otherwise an embedded PostgreSQL in the data folder.
// Either way the same pool, SQL and migrations are used.
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { createAccessLogPartitions } from '../jobs/access-log-retention.ts';
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
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(
        { dir: path.join(config.dataDir, 'pg'), port: config.embeddedPgPort },
        logger,
      );
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
}
