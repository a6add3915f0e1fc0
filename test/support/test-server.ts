// A real provider over HTTP on a loopback port, on its own database.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import { type App, createApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { createPool } from '../../src/db/pool.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export interface TestServer {
  /** the issuer identifier: this server's own address unless ISSUER was given (e.g. a load balancer's) */
  issuer: string;
  /** this server's own address */
  url: string;
  config: Config;
  app: App;
  db: TestDatabase;
  pool: import('pg').Pool;
  close(): Promise<void>;
}

export const SECRET = 'test-secret-0123456789abcdef0123456789abcdef';
/** Production refuses equal or low-entropy secrets (src/config.ts): three random-looking ones. */
export const PRODUCTION_SECRETS = {
  KEYS_ENCRYPTION_KEY: 'q7Vx2mKp9LwR4tNz8bJc6hYd3sFg5aUe',
  COOKIE_SECRETS: 'Hn4rT8vW2kQm6pXz9cLb3jDf7gSa5yEu',
  PAIRWISE_SALT: 'Zp3wK8mV5rN2xQ7tL9cB4hJ6dF8sG2aY',
};

/** The operator's texts, which production requires (src/config.ts); harmless elsewhere. */
export const OPERATOR = {
  OPERATOR_NAME: 'Opérateur de test',
  OPERATOR_ADDRESS: '1 avenue du Test, 69000 Lyon',
  PUBLICATION_DIRECTOR: 'Camille Martin',
  HOSTING_PROVIDER: 'Hébergeur de test, 2 rue des Serveurs, 59000 Lille, 03 00 00 00 00',
  CONTACT_EMAIL: 'contact@connect.example.fr',
  DPO_CONTACT: 'dpo@connect.example.fr',
  ACCOUNT_HELP_URL: 'https://compte.example.fr/identifiants',
};

export async function startTestServer(
  env: Record<string, string> = {},
  logDestination?: DestinationStream,
  /** a database to reuse (e.g. one a child process also uses); its owner drops it */
  given?: TestDatabase,
): Promise<TestServer> {
  const db = given ?? (await createTestDatabase());
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    ISSUER: issuer,
    DATABASE_URL: db.url,
    KEYS_ENCRYPTION_KEY: SECRET,
    COOKIE_SECRETS: SECRET,
    PAIRWISE_SALT: SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DEMO_APP: 'false',
    ...(env.NODE_ENV === 'production' ? OPERATOR : {}),
    ...env,
  });
  const logger = createLogger(config.logLevel, logDestination);
  const pool = createPool(
    {
      connectionString: db.url,
      max: 10,
      connectTimeoutMs: config.db.connectTimeoutMs,
      statementTimeoutMs: config.db.statementTimeoutMs,
    },
    logger,
  );
  // DATABASE_READ_URL given: a second pool on that replica, as src/db/database.ts opens it.
  const readPool = config.databaseReadUrl
    ? createPool(
        {
          connectionString: config.databaseReadUrl,
          max: 10,
          connectTimeoutMs: config.db.connectTimeoutMs,
          statementTimeoutMs: config.db.statementTimeoutMs,
          applicationName: 'pole-emploi-connect-read',
        },
        logger,
      )
    : undefined;
  const app = await createApp(config, pool, logger, readPool);
  server.on('request', app.koa.callback());
  return {
    issuer: config.issuer,
    url: issuer,
    config,
    app,
    db,
    pool,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.close();
      await app.services.accessLog.close();
      await pool.end();
      await readPool?.end();
      if (!given) await db.drop();
    },
  };
}
