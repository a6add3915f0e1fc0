// The pages' router: the middleware every page needs (no-store, same-origin posts, form bodies, the
// session, read-your-writes, CSRF), then each area's routes in the order their paths need.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { adminConsoleRoutes } from './admin/console-routes.ts';
import { accountAdvisorRoutes } from './advisors/account-advisor-routes.ts';
import type { MandateService } from './advisors/mandate-service.ts';
import { workspaceRoutes } from './advisors/workspace-routes.ts';
import { createWorkspaceService } from './advisors/workspace-service.ts';
import { workspaceSignInRoutes } from './advisors/workspace-sign-in-routes.ts';
import type { Services } from './app-services.ts';
import type { Catalog } from './catalog/load-catalog.ts';
import type { Config } from './config.ts';
import { currentJobseeker, requireJobseeker } from './dashboard/account-session.ts';
import { dashboardRoutes } from './dashboard/dashboard-routes.ts';
import { createDashboardService } from './dashboard/dashboard-service.ts';
import type { Pool } from './db/pool.ts';
import { createReadRouting } from './db/read-routing.ts';
import { portalAccountRoutes } from './developers/portal-account-routes.ts';
import { portalAppRoutes } from './developers/portal-app-routes.ts';
import { portalPasswordRoutes } from './developers/portal-password-routes.ts';
import { csrfProtection } from './http/csrf.ts';
import { formBody } from './http/form-body.ts';
import { readYourWrites } from './http/read-your-writes.ts';
import type { Render } from './http/render.ts';
import { sameOriginPosts } from './http/same-origin.ts';
import { noStore } from './http/security-headers.ts';
import { interactionRoutes } from './interactions/interaction-routes.ts';
import { createInteractionService } from './interactions/interaction-service.ts';
import { accountReceiptRoutes } from './receipts/receipt-routes.ts';
import type { ReceiptService } from './receipts/receipt-service.ts';
import { storeRoutes } from './store/store-routes.ts';
import { createStoreService } from './store/store-service.ts';

export interface PageRoutesDeps {
  config: Config;
  pool: Pool;
  /** the streaming replica's pool, when DATABASE_READ_URL is set (src/db/read-routing.ts) */
  readPool: Pool | undefined;
  logger: Logger;
  catalog: Catalog;
  render: Render;
  provider: Provider;
  services: Services;
  mandates: MandateService;
  receipts: ReceiptService;
  /** the session middleware, shared with the end-session hook mounted after the provider's routes */
  session: Koa.Middleware;
  sessionTtlMs: number;
}

export function pageRoutes(deps: PageRoutesDeps): Router {
  const { config, pool, readPool, logger, catalog, render, provider, services } = deps;
  const { mandates, receipts, session, sessionTtlMs } = deps;
  const csrf = csrfProtection({
    secure: config.production,
    onRefused: (ctx) => ctx.throw(403, 'Jeton de sécurité invalide : rechargez la page et recommencez.'),
  });
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

  return pages;
}
