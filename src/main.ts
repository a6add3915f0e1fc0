// load config → open the database → create the app → listen; graceful shutdown on SIGTERM/SIGINT, and
// when the parent process goes away. A start-up failure prints one line (src/startup-error.ts),
// stops the embedded PostgreSQL if this process started it, and exits non-zero.
import http from 'node:http';
import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { type Database, openDatabase } from './db/database.ts';
import { DEMO_ADVISOR_EMAIL, seedDemoAdvisor } from './demo/demo-advisor.ts';
import { startDemoApp } from './demo/demo-app.ts';
import { DEMO_CLIENT_ID, DEMO_SPA_CLIENT_ID, demoClientSecret, seedDemoData } from './demo/demo-seed.ts';
import { listen } from './http/listen.ts';
import { schedulePurge } from './jobs/purge-expired.ts';
import { createLogger, stdoutDestination } from './logger.ts';
import { refuseUnsafeProductionDatabase } from './security/production-database-checks.ts';
import { describeStartupError } from './startup-error.ts';

// SIGHUP keeps its default (end at once; `nohup npm start` keeps ignoring it): the embedded PostgreSQL
// stops with us anyway (src/db/embedded-postgres.ts).
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
// The conventional exit status of a process ended by a signal: 128 + its number.
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 };

let db: Database | undefined;

async function main() {
  // A signal during start-up ends the start (the embedded PostgreSQL stops with this process).
  for (const signal of SIGNALS) process.once(signal, () => process.exit(SIGNAL_EXIT[signal]));
  const config = loadConfig();
  const logger = createLogger(config.logLevel, stdoutDestination());
  db = await openDatabase(config, logger);
  await refuseUnsafeProductionDatabase(config.production, db.pool);
  const app = await createApp(config, db.pool, logger, db.readPool);
  if (config.seedDemoData) {
    await seedDemoData({ config, pool: db.pool, catalog: app.catalog, clients: app.services.clients });
    const code = await seedDemoAdvisor({ pool: db.pool, advisors: app.services.advisors });
    // Development only, once, as `advisors create` prints it: the demo advisor's first code.
    if (code) logger.info({ email: DEMO_ADVISOR_EMAIL, enrolmentCode: code }, 'demo advisor created');
  }

  const server = http.createServer(app.koa.callback());
  server.keepAliveTimeout = 5_000;
  await listen(server, config.port, config.host, 'PORT');
  const demo = config.demoApp.enabled
    ? await startDemoApp({
        issuer: config.issuer,
        port: config.demoApp.port,
        url: config.demoApp.url,
        host: config.host,
        clientId: DEMO_CLIENT_ID,
        clientSecret: demoClientSecret(config),
        spaClientId: DEMO_SPA_CLIENT_ID,
        apiBase: config.apiAudience,
        viewsDir: config.viewsDir,
        logger,
      }).catch((err) => {
        server.close();
        throw err;
      })
    : undefined;
  logger.info({ issuer: config.issuer, port: config.port }, 'Pôle emploi Connect is listening');
  if (demo)
    logger.info(
      { url: config.demoApp.url },
      'demo app listening: open it and click « Se connecter avec Pôle emploi Connect »',
    );
  const stopPurge = schedulePurge(
    {
      pool: db.pool,
      consentChanges: app.services.consentChanges,
      accessLogRetentionDays: config.accessLogRetentionDays,
      outboxRetention: {
        deliveredDays: config.ssf.deliveredRetentionDays,
        undeliveredDays: config.ssf.undeliveredRetentionDays,
      },
    },
    logger,
  );

  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down: draining in-flight requests');
    stopPurge();
    const stopped = app.close();
    server.closeIdleConnections();
    // Drain, but not forever: an orchestrator kills after its own grace period (30 s by default in
    // Kubernetes), so what is still open after 25 s is closed by us, cleanly, first.
    const deadline = setTimeout(() => {
      logger.warn('drain deadline reached: closing the remaining connections');
      server.closeAllConnections();
    }, 25_000);
    deadline.unref();
    await Promise.all([new Promise((resolve) => server.close(resolve)), demo?.close()]);
    clearTimeout(deadline);
    await stopped;
    await app.services.accessLog.close();
    await db?.close();
    process.exit(0);
  };
  for (const signal of SIGNALS) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
  // `npm start` runs us under `sh -c`, and npm passes SIGTERM to that shell only, which dies without
  // passing it on: a parent that goes away (the shell, npm) is a SIGTERM to us.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown('parent process exited');
  }, 1_000).unref();
}

main().catch(async (err: unknown) => {
  process.stderr.write(`Startup failed: ${describeStartupError(err)}\n`);
  await db?.close().catch(() => undefined);
  process.exit(err instanceof ConfigError ? 78 : 1); // EX_CONFIG for a configuration error
});
