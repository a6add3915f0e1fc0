// The composition root: database, catalog, services, provider, routers, and their mount order.
import path from 'node:path';
import Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { adminApiRoutes } from './admin/admin-api-routes.ts';
import { createMandateService, type MandateService } from './advisors/mandate-service.ts';
import { apiPreflight } from './api/api-cors.ts';
import { apiPaths, apiRoutes } from './api/api-routes.ts';
import { protectedResourceMetadata } from './api/protected-resource-metadata.ts';
import { pageRoutes } from './app-pages.ts';
import { createServices, type Services } from './app-services.ts';
import { type Catalog, loadCatalog } from './catalog/load-catalog.ts';
import type { Config } from './config.ts';
import { signOutWithProvider } from './dashboard/account-session.ts';
import type { Pool } from './db/pool.ts';
import { apiReferenceModel } from './developers/api-reference-model.ts';
import { developerRoutes } from './developers/developer-routes.ts';
import { quickstartModel } from './developers/quickstart-model.ts';
import { seedSandboxPersonas } from './developers/sandbox-personas.ts';
import { errorHandler } from './http/error-handler.ts';
import { healthRoutes } from './http/health-routes.ts';
import { createRenderer } from './http/render.ts';
import { requestLogger } from './http/request-logger.ts';
import { securityHeaders } from './http/security-headers.ts';
import { sessionMiddleware } from './http/sessions.ts';
import { staticFiles } from './http/static-files.ts';
import { legacyAuthorizations } from './legacy/legacy-authorization-queries.ts';
import { legacyProtocol } from './legacy/legacy-protocol.ts';
import { legacyApiRoutes, legacyNotFound } from './legacy-api/legacy-api-routes.ts';
import { createProvider } from './oidc/create-provider.ts';
import { createProviderHolder, type ProviderHolder } from './oidc/provider-holder.ts';
import { publicReceiptRoutes } from './receipts/receipt-routes.ts';
import { createReceiptService } from './receipts/receipt-service.ts';
import { httpsOnly } from './security/https-only.ts';
import { siteRoutes } from './site/site-routes.ts';
import { confirmDeletion } from './ssf/deletion-queries.ts';
import { ssfRoutes } from './ssf/ssf-routes.ts';

export interface App {
  koa: Koa;
  /** always the current provider: it is rebuilt when the signing keys change (provider-holder.ts) */
  provider: Provider;
  providers: ProviderHolder;
  catalog: Catalog;
  services: Services & { mandates: MandateService };
  /** stops the signing-key poll and the delivery of security events (resolves once a push in flight ends) */
  close(): Promise<void>;
}

export async function createApp(
  config: Config,
  pool: Pool,
  logger: Logger,
  /** the streaming replica's pool, when DATABASE_READ_URL is set (src/db/read-routing.ts) */
  readPool?: Pool,
): Promise<App> {
  const catalog = loadCatalog(config.scopesDir);
  // The developer portal's synthetic jobseekers, present everywhere developers test (idempotent).
  await seedSandboxPersonas(pool, catalog);
  const render = createRenderer(config.viewsDir, config.production);
  // The services reach the provider through its holder, which is built from them.
  let holder: ProviderHolder | undefined;
  const services = createServices(config, pool, catalog, logger, () => {
    if (!holder) throw new Error('the provider is not built yet');
    return holder.provider;
  });
  const providers = await createProviderHolder({
    pool,
    box: services.box,
    logger,
    pollIntervalMs: config.keys.pollIntervalSeconds * 1000,
    build: (jwks) => createProvider({ config, pool, catalog, render, logger, ...services, jwks }),
  });
  holder = providers;
  const { provider } = providers;
  const mandates = createMandateService({ pool, catalog, changes: services.consentChanges });

  const koa = new Koa({ proxy: config.trustProxy, keys: [...config.secrets.cookieSecrets] });
  koa.silent = true; // errors are logged by our handler, with redaction

  const sessionTtlMs = config.sessionTtlHours * 3_600_000;
  const session = sessionMiddleware(koa, pool, { secure: config.production, maxAgeMs: sessionTtlMs });
  // Signed consent receipts of the jobseeker's history (src/receipts/).
  const receipts = createReceiptService({
    box: services.box,
    signer: services.signer,
    issuer: config.issuer,
    operatorName: config.operator.name,
  });
  const pages = pageRoutes({
    config,
    pool,
    readPool,
    logger,
    catalog,
    render,
    provider,
    services,
    mandates,
    receipts,
    session,
    sessionTtlMs,
  });

  koa.use(requestLogger(logger));
  koa.use(securityHeaders({ production: config.production }));
  koa.use(errorHandler(render));
  // The resource API first: the busiest route, and it needs none of the page middleware below.
  // (A preflight matches no route of the API's router, which would let it through without CORS.)
  koa.use(apiPreflight(pool, apiPaths(catalog)));
  koa.use(apiRoutes({ config, pool, catalog, accessLog: services.accessLog }).routes());
  // The legacy Pôle emploi Connect APIs (/partenaire/peconnect-…), from the same consent and data.
  koa.use(legacyApiRoutes({ config, pool, catalog, accessLog: services.accessLog }).routes());
  koa.use(legacyNotFound);
  koa.use(healthRoutes(pool).routes());
  koa.use(
    ssfRoutes({
      issuer: config.issuer,
      streams: services.streams,
      auth: services.receiverAuth,
      pollWaitMs: 5_000,
      confirmDeletion: (clientId, jti) => confirmDeletion(pool, clientId, jti),
    }).routes(),
  );
  koa.use(
    protectedResourceMetadata({ issuer: config.issuer, apiAudience: config.apiAudience, catalog }).routes(),
  );
  koa.use(
    developerRoutes({
      render,
      model: quickstartModel({ config, catalog, docsDir: path.resolve(config.scopesDir, '../docs') }),
      apiReference: apiReferenceModel(config, catalog),
    }).routes(),
  );
  koa.use(staticFiles(path.resolve(config.viewsDir, '../public')));
  // Everything below may set Secure cookies: never over plain http in production (TRUST_PROXY).
  koa.use(httpsOnly({ production: config.production, trustProxy: config.trustProxy, logger }));
  koa.use(siteRoutes({ config, catalog, render }).routes());
  koa.use(publicReceiptRoutes({ pool, receipts, catalog, render }).routes());
  koa.use(pages.routes());
  koa.use(
    adminApiRoutes({
      issuer: config.issuer,
      pool,
      catalog,
      provider,
      clients: services.clients,
      admins: services.admins,
      advisors: services.advisors,
    }).routes(),
  );
  // Pôle emploi Connect's paths, rewritten onto the provider's own endpoints (src/legacy/).
  koa.use(
    legacyProtocol({
      catalog,
      enabled: config.peconnectCompat,
      allowedScopes: async (id) => (await services.clients.find(id))?.scopes,
      authorizations: legacyAuthorizations(pool),
      recordTtlSeconds: config.refreshTokenTtlDays * 86_400,
    }),
  );
  // One sign-in: confirming the end-session page ends the /account sign-in too.
  koa.use(signOutWithProvider(session));
  koa.use(providers.middleware);

  if (config.ssf.deliveryIntervalMs > 0) services.delivery.start();
  return {
    koa,
    provider,
    providers,
    catalog,
    services: { ...services, mandates },
    close: async () => {
      providers.close();
      await services.delivery.stop();
    },
  };
}
