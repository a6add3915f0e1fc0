// The composition root: database, catalog, services, provider, routers, and their mount order.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { createAdminAccounts } from './admin/admin-accounts.ts';
import { adminApiRoutes } from './admin/admin-api-routes.ts';
import { adminConsoleRoutes } from './admin/console-routes.ts';
import { accountAdvisorRoutes } from './advisors/account-advisor-routes.ts';
import { createAdvisorAccounts } from './advisors/advisor-accounts.ts';
import { createMandateService, type MandateService } from './advisors/mandate-service.ts';
import { workspaceRoutes } from './advisors/workspace-routes.ts';
import { createWorkspaceService } from './advisors/workspace-service.ts';
import { workspaceSignInRoutes } from './advisors/workspace-sign-in-routes.ts';
import { createAccessLog } from './api/access-log.ts';
import { apiPreflight } from './api/api-cors.ts';
import { apiPaths, apiRoutes } from './api/api-routes.ts';
import { protectedResourceMetadata } from './api/protected-resource-metadata.ts';
import { type Catalog, loadCatalog } from './catalog/load-catalog.ts';
import { createClientService } from './clients/client-service.ts';
import type { Config } from './config.ts';
import { createConsentChanges } from './consents/consent-changes.ts';
import { createConsentService } from './consents/consent-service.ts';
import { createGrantBuilder } from './consents/grant-builder.ts';
import { createSecretBox } from './crypto/secret-box.ts';
import { currentJobseeker, requireJobseeker, signOutWithProvider } from './dashboard/account-session.ts';
import { dashboardRoutes } from './dashboard/dashboard-routes.ts';
import { createDashboardService } from './dashboard/dashboard-service.ts';
import type { Pool } from './db/pool.ts';
import { createReadRouting } from './db/read-routing.ts';
import { apiReferenceModel } from './developers/api-reference-model.ts';
import { createAppFigures } from './developers/app-figures.ts';
import { createDeveloperAccounts } from './developers/developer-accounts.ts';
import { createDeveloperApps } from './developers/developer-apps.ts';
import { developerRoutes } from './developers/developer-routes.ts';
import { outboxMailSender } from './developers/mail-sender.ts';
import { portalAccountRoutes } from './developers/portal-account-routes.ts';
import { portalAppRoutes } from './developers/portal-app-routes.ts';
import { portalPasswordRoutes } from './developers/portal-password-routes.ts';
import { quickstartModel } from './developers/quickstart-model.ts';
import { seedSandboxPersonas } from './developers/sandbox-personas.ts';
import { csrfProtection } from './http/csrf.ts';
import { errorHandler } from './http/error-handler.ts';
import { formBody } from './http/form-body.ts';
import { healthRoutes } from './http/health-routes.ts';
import { readYourWrites } from './http/read-your-writes.ts';
import { createRenderer } from './http/render.ts';
import { requestLogger } from './http/request-logger.ts';
import { sameOriginPosts } from './http/same-origin.ts';
import { noStore, securityHeaders } from './http/security-headers.ts';
import { sessionMiddleware } from './http/sessions.ts';
import { staticFiles } from './http/static-files.ts';
import { interactionRoutes } from './interactions/interaction-routes.ts';
import { createInteractionService } from './interactions/interaction-service.ts';
import { legacyAuthorizations } from './legacy/legacy-authorization-queries.ts';
import { legacyProtocol } from './legacy/legacy-protocol.ts';
import { legacyApiRoutes, legacyNotFound } from './legacy-api/legacy-api-routes.ts';
import { createProvider } from './oidc/create-provider.ts';
import { createProviderHolder, type ProviderHolder } from './oidc/provider-holder.ts';
import { accountReceiptRoutes, publicReceiptRoutes } from './receipts/receipt-routes.ts';
import { createReceiptService } from './receipts/receipt-service.ts';
import { createGuardedFetch } from './security/guarded-fetch.ts';
import { httpsOnly } from './security/https-only.ts';
import { createLoginThrottle } from './security/login-throttle.ts';
import { siteRoutes } from './site/site-routes.ts';
import { logoutDeliveryState } from './ssf/backchannel-logout-queries.ts';
import { confirmDeletion } from './ssf/deletion-queries.ts';
import { createDeliveryWorker } from './ssf/delivery-worker.ts';
import { listenForOutbox } from './ssf/outbox-wakeup.ts';
import { createReceiverAuth } from './ssf/receiver-auth.ts';
import { createSetSigner } from './ssf/set-signer.ts';
import { deliveryStates } from './ssf/ssf-queries.ts';
import { ssfRoutes } from './ssf/ssf-routes.ts';
import { createStreamService } from './ssf/stream-service.ts';
import { storeRoutes } from './store/store-routes.ts';
import { createStoreService } from './store/store-service.ts';

export interface App {
  koa: Koa;
  /** always the current provider: it is rebuilt when the signing keys change (provider-holder.ts) */
  provider: Provider;
  providers: ProviderHolder;
  catalog: Catalog;
  services: ReturnType<typeof createServices> & { mandates: MandateService };
  /** stops the signing-key poll and the delivery of security events (resolves once a push in flight ends) */
  close(): Promise<void>;
}

export function createServices(
  config: Config,
  pool: Pool,
  catalog: Catalog,
  logger: Logger,
  /** the current provider, once built */
  provider: () => Provider,
) {
  const grants = createGrantBuilder({ provider, catalog, apiAudience: config.apiAudience });
  const box = createSecretBox(config.secrets.keysEncryptionKey);
  const throttle = createLoginThrottle(pool);
  const mail = outboxMailSender(pool, logger);
  const clients = createClientService({
    pool,
    catalog,
    box,
    production: config.production,
    secretGraceHours: config.clientSecretGraceHours,
    accessLogRetentionDays: config.accessLogRetentionDays,
  });
  return {
    box,
    clients,
    consents: createConsentService({ pool, catalog }),
    grants,
    consentChanges: createConsentChanges({
      pool,
      durationDays: async (clientId) =>
        (await clients.find(clientId))?.consent_duration_days ?? config.consentDurationDays,
      grants,
    }),
    accessLog: createAccessLog(pool, logger),
    admins: createAdminAccounts({ pool, box, totpRequired: config.adminTotpRequired }),
    advisors: createAdvisorAccounts({ pool, box, totpRequired: config.adminTotpRequired }),
    throttle,
    // Emploi Store Dev (/developpeurs): developer accounts and their apps; mail goes to the outbox table.
    developerAccounts: createDeveloperAccounts({ pool, mail, throttle, issuer: config.issuer }),
    developerApps: createDeveloperApps({ pool, catalog, clients, mail, issuer: config.issuer }),
    appFigures: createAppFigures({ pool, catalog }),
    ...securityEvents(config, pool, box, clients, logger),
  };
}

// Security events to apps (src/ssf/): signed with our keys, pushed by one worker per instance.
function securityEvents(
  config: Config,
  pool: Pool,
  box: ReturnType<typeof createSecretBox>,
  clients: ReturnType<typeof createClientService>,
  logger: Logger,
) {
  const signer = createSetSigner({
    pool,
    box,
    issuer: config.issuer,
    pairwiseSalt: config.secrets.pairwiseSalt,
    refreshMs: config.keys.pollIntervalSeconds * 1000,
  });
  const fetch = createGuardedFetch({ production: config.production });
  return {
    signer,
    /** per app, the delivery state of its stream (the admin console) */
    ssfStates: (clientId?: string) => deliveryStates(pool, clientId),
    logoutStates: (clientId: string) => logoutDeliveryState(pool, clientId),
    streams: createStreamService({ pool, box, signer, issuer: config.issuer, production: config.production }),
    receiverAuth: createReceiverAuth({ pool, clients, issuer: config.issuer, fetch }),
    delivery: createDeliveryWorker({
      pool,
      box,
      signer,
      logger,
      fetch,
      intervalMs: config.ssf.deliveryIntervalMs,
      maxBackoffSeconds: config.ssf.maxBackoffSeconds,
      listen: (wake) => listenForOutbox(pool, logger, wake),
    }),
  };
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

  const csrf = csrfProtection({
    secure: config.production,
    onRefused: (ctx) => ctx.throw(403, 'Jeton de sécurité invalide : rechargez la page et recommencez.'),
  });
  const sessionTtlMs = config.sessionTtlHours * 3_600_000;
  const session = sessionMiddleware(koa, pool, { secure: config.production, maxAgeMs: sessionTtlMs });
  const pages = new Router();
  pages.use(
    noStore,
    sameOriginPosts(config.issuer),
    formBody('64kb'),
    session,
    readYourWrites(createReadRouting(pool, readPool, logger)),
    csrf,
  );
  const interactions = createInteractionService({ config, pool, catalog, ...services });
  // The developer portal before /account's routes, whose sign-in guard covers every path they reach.
  pages.use(portalAccountRoutes({ render, accounts: services.developerAccounts }).routes());
  pages.use(portalPasswordRoutes({ render, accounts: services.developerAccounts }).routes());
  pages.use(
    portalAppRoutes({
      render,
      catalog,
      accounts: services.developerAccounts,
      apps: services.developerApps,
      sessionTtlMs,
      figures: services.appFigures,
      issuer: config.issuer,
    }).routes(),
  );
  pages.use(
    interactionRoutes({
      provider,
      service: interactions,
      render,
      catalog,
      signedIn: (ctx) => currentJobseeker(ctx, pool, sessionTtlMs),
      secureCookies: config.production,
    }).routes(),
  );
  pages.use(
    dashboardRoutes({
      pool,
      render,
      dashboard: createDashboardService({
        pool,
        catalog,
        accessLogRetentionDays: config.accessLogRetentionDays,
      }),
      changes: services.consentChanges,
      interactions,
      accessLog: services.accessLog,
      sessionTtlMs,
      provider,
      secureCookies: config.production,
      accessLogRetentionDays: config.accessLogRetentionDays,
      exportSchema: JSON.parse(
        readFileSync(path.resolve(config.scopesDir, '../docs/export-schema.json'), 'utf8'),
      ),
    }).routes(),
  );
  pages.use(accountAdvisorRoutes({ pool, render, catalog, mandates, sessionTtlMs }).routes());
  // The advisor's workspace: sign-in first (its routes need no signed-in advisor), then the pages.
  pages.use(
    workspaceSignInRoutes({ render, advisors: services.advisors, throttle: services.throttle }).routes(),
  );
  pages.use(
    workspaceRoutes({
      render,
      advisors: services.advisors,
      workspace: createWorkspaceService({ pool, catalog }),
    }).routes(),
  );
  // The Emploi Store: the catalog and the recommendations computed here (src/store/).
  pages.use(
    storeRoutes({ pool, render, sessionTtlMs, store: createStoreService({ pool, catalog }) }).routes(),
  );
  // Signed consent receipts of the jobseeker's history (src/receipts/).
  const receipts = createReceiptService({
    box: services.box,
    signer: services.signer,
    issuer: config.issuer,
    operatorName: config.operator.name,
  });
  pages.use(
    accountReceiptRoutes({
      pool,
      receipts,
      catalog,
      render,
      signedIn: requireJobseeker(pool, sessionTtlMs),
    }).routes(),
  );
  pages.use(
    adminConsoleRoutes({ issuer: config.issuer, pool, catalog, provider, render, ...services }).routes(),
  );

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
