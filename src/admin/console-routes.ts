// /admin: the admin console. Plain forms (no JavaScript needed), CSRF-checked upstream; every POST
// answers 303, except a form shown again with its errors (400) and the pages that show a secret once.
// This file mounts its parts, sign-in first: apps (console-client-routes.ts), audit, tokens, admins,
// advisors, the Emploi Store sheets and the developer portal's review queue. Routes stay thin: the
// services validate, change and audit; the *-view.ts and client-form*.ts files build what pages show.
import Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { AdvisorAccounts } from '../advisors/advisor-accounts.ts';
import { advisorsConsoleRoutes } from '../advisors/console-advisors-routes.ts';
import type { AccessLog } from '../api/access-log.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { ClientService } from '../clients/client-service.ts';
import type { Pool } from '../db/pool.ts';
import type { AppFigures } from '../developers/app-figures.ts';
import type { DeveloperAccounts } from '../developers/developer-accounts.ts';
import type { DeveloperApps } from '../developers/developer-apps.ts';
import type { Render } from '../http/render.ts';
import type { LoginThrottle } from '../security/login-throttle.ts';
import type { LogoutDeliveryState } from '../ssf/backchannel-logout-queries.ts';
import type { DeliveryState } from '../ssf/ssf-queries.ts';
import type { AdminAccounts } from './admin-accounts.ts';
import { adminsRoutes } from './console-admins-routes.ts';
import { consoleAuditRoutes } from './console-audit-routes.ts';
import { consoleClientRoutes } from './console-client-routes.ts';
import { noticeOf } from './console-notices.ts';
import { consoleReviewRoutes } from './console-review-routes.ts';
import { requireAdmin } from './console-session.ts';
import { adminSignInRoutes } from './console-sign-in-routes.ts';
import { consoleStoreRoutes } from './console-store-routes.ts';
import { consoleTokenRoutes } from './console-token-routes.ts';

export function adminConsoleRoutes(deps: {
  issuer: string;
  pool: Pool;
  catalog: Catalog;
  provider: Provider;
  render: Render;
  clients: ClientService;
  admins: AdminAccounts;
  /** advisor accounts (issue 16): /admin/conseillers */
  advisors?: AdvisorAccounts;
  accessLog: AccessLog;
  throttle: LoginThrottle;
  /** per app, its security event stream's delivery state (src/ssf/) */
  ssfStates?: (clientId: string) => Promise<DeliveryState[]>;
  logoutStates?: (clientId: string) => Promise<LogoutDeliveryState>;
  /** the developer portal's apps, for the review queue */
  developerApps: DeveloperApps;
  appFigures: AppFigures;
  developerAccounts: DeveloperAccounts;
}) {
  const { pool, catalog, provider, render, clients, admins } = deps;
  const router = new Router({ prefix: '/admin' });

  router.use(adminSignInRoutes({ render, admins, throttle: deps.throttle }).routes());

  const signedIn = new Router();
  signedIn.use(requireAdmin(admins));

  signedIn.use(
    consoleClientRoutes({
      pool,
      catalog,
      render,
      clients,
      accessLog: deps.accessLog,
      ssfStates: deps.ssfStates,
      logoutStates: deps.logoutStates,
    }).routes(),
  );
  signedIn.use(consoleAuditRoutes({ pool, render, clients }).routes());
  signedIn.use(consoleTokenRoutes({ issuer: deps.issuer, pool, provider, render, admins }).routes());
  signedIn.use(adminsRoutes({ render, admins, notice: noticeOf }).routes());
  if (deps.advisors) signedIn.use(advisorsConsoleRoutes({ render, advisors: deps.advisors }).routes());
  signedIn.use(consoleStoreRoutes({ render, catalog, clients }).routes());
  signedIn.use(
    consoleReviewRoutes({
      render,
      catalog,
      apps: deps.developerApps,
      clients,
      figures: deps.appFigures,
      developers: deps.developerAccounts,
    }).routes(),
  );

  router.use(signedIn.routes());
  return router;
}
