// /admin: the admin console. Plain forms (no JavaScript needed), CSRF-checked upstream; every POST
// answers 303, except a form shown again with its errors (400) and the pages that show a secret once.
// Routes stay thin: the services validate, change and audit; console-models builds what pages show.
import Router from '@koa/router';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { AdvisorAccounts } from '../advisors/advisor-accounts.ts';
import { advisorsConsoleRoutes } from '../advisors/console-advisors-routes.ts';
import type { AccessLog } from '../api/access-log.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import { usesSecret } from '../clients/client-auth-methods.ts';
import type { ClientRow } from '../clients/client-queries.ts';
import type { ClientService } from '../clients/client-service.ts';
import type { Pool } from '../db/pool.ts';
import type { AppFigures } from '../developers/app-figures.ts';
import type { DeveloperAccounts } from '../developers/developer-accounts.ts';
import type { DeveloperApps } from '../developers/developer-apps.ts';
import { AppError } from '../http/app-error.ts';
import type { Render } from '../http/render.ts';
import { seeOther } from '../http/see-other.ts';
import type { LoginThrottle } from '../security/login-throttle.ts';
import type { LogoutDeliveryState } from '../ssf/backchannel-logout-queries.ts';
import { deliveryView, logoutDeliveryView } from '../ssf/delivery-view.ts';
import type { DeliveryState } from '../ssf/ssf-queries.ts';
import { type AdminAccounts, hashToken } from './admin-accounts.ts';
import { actorOf } from './admin-api-auth.ts';
import { listAudit } from './audit-queries.ts';
import { adminsRoutes } from './console-admins-routes.ts';
import {
  appsListView,
  auditView,
  clientDetails,
  emptyForm,
  errorsFromMessage,
  type FieldError,
  formatMoment,
  formFromBody,
  formFromRow,
  formView,
  inputFromForm,
  parisEndOfDay,
  tokensView,
} from './console-models.ts';
import { consolePage } from './console-page.ts';
import { consoleReviewRoutes } from './console-review-routes.ts';
import { requireAdmin } from './console-session.ts';
import { adminSignInRoutes } from './console-sign-in-routes.ts';
import { consoleStoreRoutes } from './console-store-routes.ts';

const NOTICES: Record<string, string> = {
  enrolled: 'La double authentification est activée : vous êtes connecté.',
  unlocked: 'Le compte est déverrouillé : ses codes incorrects sont oubliés.',
  updated: 'Les modifications sont enregistrées.',
  approved: 'L’application est approuvée : les demandeurs d’emploi peuvent maintenant l’utiliser.',
  suspended:
    'L’application est suspendue : ses jetons sont révoqués, elle ne peut plus connecter personne ni lire de données. Les accords des personnes restent.',
  unchanged: 'Rien n’a changé.',
  deleted: 'L’application est supprimée : ses accords sont révoqués et ses jetons supprimés.',
  'token-revoked': 'Le jeton est révoqué : il ne permet plus d’utiliser l’API d’administration.',
};

// Object.hasOwn: `?ok=__proto__` or `?ok=constructor` names no notice.
const noticeOf = (ctx: Koa.Context) => {
  const key = String(ctx.query.ok);
  return Object.hasOwn(NOTICES, key) ? NOTICES[key] : undefined;
};

const AUDIT_PAGE = 50;
const confirmed = (ctx: Koa.Context) =>
  (ctx.request.body as { confirm?: unknown } | undefined)?.confirm === 'yes';
// 409: a chosen client_id already registered, shown on the form like any other problem.
const isBadRequest = (err: unknown): err is AppError =>
  err instanceof AppError && (err.status === 400 || err.status === 409);

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

  const page = consolePage(render);
  const notFound = (
    ctx: Koa.Context,
    what = 'Cette page n’existe pas, ou l’application a été supprimée.',
  ) => {
    ctx.status = 404;
    page(ctx, 'admin/not-found', { title: 'Page introuvable', message: what });
  };
  const clientPath = (id: string) => `/admin/clients/${encodeURIComponent(id)}`;

  router.use(adminSignInRoutes({ render, admins, throttle: deps.throttle }).routes());

  // ---------- Signed in ----------

  const signedIn = new Router();
  signedIn.use(requireAdmin(admins));

  const found = async (ctx: Koa.Context): Promise<ClientRow | undefined> => {
    const row = await clients.find(String(ctx.params.id));
    if (!row) notFound(ctx);
    return row;
  };

  signedIn.get('/', async (ctx) => {
    await deps.accessLog.flush(); // "last activity" includes reads still buffered on this instance
    page(ctx, 'admin/apps', {
      title: 'Applications',
      notice: noticeOf(ctx),
      apps: appsListView(await clients.list()),
    });
  });

  const newClientPage = (ctx: Koa.Context, form = emptyForm(), errors: FieldError[] = []) =>
    page(ctx, 'admin/client-new', {
      title: errors.length ? 'Erreur – Enregistrer une application' : 'Enregistrer une application',
      form: { ...formView(form, errors, catalog), withClientId: true },
      errors,
    });

  signedIn.get('/clients/new', (ctx) => newClientPage(ctx));

  signedIn.post('/clients', async (ctx) => {
    const form = formFromBody(ctx.request.body, catalog);
    const { input, errors } = inputFromForm(form, catalog);
    const all = [...errors, ...validationErrors(() => clients.rules.parse({ ...input, status: 'pending' }))];
    let created: Awaited<ReturnType<ClientService['create']>> | undefined;
    if (!all.length) {
      try {
        const clientId = form.client_id.trim() || undefined;
        created = await clients.create({ ...input, clientId, status: 'pending' }, actorOf(ctx));
      } catch (err) {
        if (!isBadRequest(err)) throw err;
        all.push(...errorsFromMessage(err.message, catalog));
      }
    }
    if (!created) {
      ctx.status = 400;
      return newClientPage(ctx, form, all);
    }
    page(ctx, 'admin/client-created', {
      title: 'Application enregistrée',
      name: input.name.trim(),
      clientId: created.client_id,
      clientSecret: created.client_secret,
    });
  });

  function validationErrors(check: () => unknown): FieldError[] {
    try {
      check();
      return [];
    } catch (err) {
      if (!isBadRequest(err)) throw err;
      return errorsFromMessage(err.message, catalog);
    }
  }

  async function clientPage(
    ctx: Koa.Context,
    row: ClientRow,
    options: { form?: ReturnType<typeof formFromRow>; errors?: FieldError[]; errorTitle?: string } = {},
  ) {
    const errors = options.errors ?? [];
    const audit = await listAudit(pool, { targetType: 'client', targetId: row.id, limit: AUDIT_PAGE });
    page(ctx, 'admin/client', {
      title: `${errors.length ? 'Erreur – ' : ''}${row.name}`,
      notice: noticeOf(ctx),
      client: clientDetails(row, catalog),
      form: formView(options.form ?? formFromRow(row), errors, catalog),
      errors,
      errorTitle: options.errorTitle,
      audit: auditView(audit, new Set([row.id])),
      delivery: deliveryView((await deps.ssfStates?.(row.id))?.[0]),
      logouts: logoutDeliveryView(row.backchannel_logout_uri, await deps.logoutStates?.(row.id)),
    });
  }

  signedIn.get('/clients/:id', async (ctx) => {
    const row = await found(ctx);
    if (row) await clientPage(ctx, row);
  });

  signedIn.post('/clients/:id', async (ctx) => {
    const row = await found(ctx);
    if (!row) return;
    const form = formFromBody(ctx.request.body, catalog);
    const { input, errors } = inputFromForm(form, catalog);
    const all = [...errors];
    if (!all.length) {
      try {
        await clients.update(row.id, input, actorOf(ctx));
        return seeOther(ctx, `${clientPath(row.id)}?ok=updated`);
      } catch (err) {
        if (!isBadRequest(err)) throw err;
        all.push(...errorsFromMessage(err.message, catalog));
      }
    }
    ctx.status = 400;
    await clientPage(ctx, row, {
      form,
      errors: all,
      errorTitle: 'Les modifications n’ont pas été enregistrées',
    });
  });

  const setStatus = (status: 'active' | 'suspended', from: readonly string[], notice: string) =>
    async function statusChange(ctx: Koa.Context) {
      const row = await found(ctx);
      if (!row) return;
      if (!from.includes(row.status)) return seeOther(ctx, `${clientPath(row.id)}?ok=unchanged`);
      try {
        await clients.update(row.id, { status }, actorOf(ctx));
      } catch (err) {
        if (!isBadRequest(err)) throw err;
        ctx.status = 400;
        return clientPage(ctx, row, {
          errors: errorsFromMessage(err.message, catalog),
          errorTitle:
            status === 'active'
              ? 'L’application ne peut pas encore être approuvée'
              : 'L’application n’a pas pu être suspendue',
        });
      }
      seeOther(ctx, `${clientPath(row.id)}?ok=${notice}`);
    };

  signedIn.post('/clients/:id/approve', setStatus('active', ['pending', 'suspended'], 'approved'));
  signedIn.post('/clients/:id/suspend', setStatus('suspended', ['active'], 'suspended'));

  signedIn.post('/clients/:id/secret', async (ctx) => {
    const row = await found(ctx);
    if (!row) return;
    if (!usesSecret(row.token_endpoint_auth_method)) {
      ctx.status = 400;
      return clientPage(ctx, row, {
        errors: [
          {
            field: 'client',
            href: '#actions-secret',
            label: 'Secret',
            message:
              row.token_endpoint_auth_method === 'none'
                ? 'cette application est publique (none) : elle n’a pas de secret'
                : 'cette application s’authentifie par clé (private_key_jwt) : elle n’a pas de secret',
          },
        ],
        errorTitle: 'Aucun secret n’a été généré',
      });
    }
    const rotated = await clients.rotateSecret(row.id, actorOf(ctx));
    page(ctx, 'admin/client-secret', {
      title: 'Nouveau secret',
      name: row.name,
      clientId: row.id,
      clientSecret: rotated.client_secret,
      previousUntil: row.secret_ciphertext
        ? formatMoment(new Date(rotated.previous_secret_expires_at))
        : undefined,
    });
  });

  signedIn.post('/clients/:id/delete', async (ctx) => {
    const row = await found(ctx);
    if (!row) return;
    if (!confirmed(ctx)) {
      const listed = (await clients.list()).find((c) => c.id === row.id);
      return page(ctx, 'admin/client-delete', {
        title: `Supprimer ${row.name} ?`,
        client: { id: row.id, name: row.name, activeConsents: listed?.active_consents ?? 0 },
      });
    }
    await clients.remove(row.id, actorOf(ctx));
    seeOther(ctx, '/admin?ok=deleted');
  });

  // ---------- Audit log ----------

  signedIn.get('/audit', async (ctx) => {
    const cursor =
      typeof ctx.query.avant === 'string' && /^\d{1,18}$/.test(ctx.query.avant) ? ctx.query.avant : undefined;
    const rows = await listAudit(pool, { beforeId: cursor, limit: AUDIT_PAGE + 1 });
    const shown = rows.slice(0, AUDIT_PAGE);
    const live = new Set((await clients.list()).map((c) => c.id));
    page(ctx, 'admin/audit', {
      title: 'Journal d’audit',
      first: !cursor,
      entries: auditView(shown, live),
      next: rows.length > AUDIT_PAGE ? shown.at(-1)?.id : undefined,
    });
  });

  // ---------- Admin API tokens and RFC 7591 initial access tokens ----------

  const tokensPage = async (
    ctx: Koa.Context,
    model: { errors?: FieldError[]; tokenName?: string; tokenExpiry?: string; iatDays?: string } = {},
  ) =>
    page(ctx, 'admin/tokens', {
      title: `${model.errors?.length ? 'Erreur – ' : ''}Jetons d’API`,
      notice: noticeOf(ctx),
      tokens: tokensView(await admins.listTokens()),
      errors: model.errors ?? [],
      errorOf: Object.fromEntries((model.errors ?? []).map((e) => [e.field, e.message])),
      tokenName: model.tokenName ?? '',
      tokenExpiry: model.tokenExpiry ?? '',
      iatDays: model.iatDays ?? '7',
      registrationEndpoint: `${deps.issuer}/reg`,
    });

  signedIn.get('/tokens', (ctx) => tokensPage(ctx));

  signedIn.post('/tokens', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const name = typeof body.name === 'string' ? body.name.slice(0, 200) : '';
    const expiry = typeof body.expires === 'string' ? body.expires.trim().slice(0, 20) : '';
    const expiresAt = expiry ? parisEndOfDay(expiry) : null;
    const fail = (field: string, label: string, message: string) => {
      ctx.status = 400;
      return tokensPage(ctx, {
        errors: [{ field, href: `#${field === 'name' ? 'token-name' : 'token-expires'}`, label, message }],
        tokenName: name,
        tokenExpiry: expiry,
      });
    };
    if (expiresAt === undefined) return fail('expires', 'Date d’expiration', 'indiquez une date valide');
    try {
      const admin = ctx.state.admin as NonNullable<typeof ctx.state.admin>;
      const created = await admins.createToken(admin.id, name, expiresAt, actorOf(ctx));
      page(ctx, 'admin/token-created', {
        title: 'Jeton d’API créé',
        name: created.name,
        token: created.token,
        expiresAt: created.expires_at ? formatMoment(created.expires_at) : undefined,
      });
    } catch (err) {
      if (!isBadRequest(err)) throw err;
      const onExpiry = /expiration/.test(err.message);
      return fail(
        onExpiry ? 'expires' : 'name',
        onExpiry ? 'Date d’expiration' : 'Nom du jeton',
        err.message,
      );
    }
  });

  signedIn.post('/tokens/:id/revoke', async (ctx) => {
    try {
      await admins.revokeToken(String(ctx.params.id), actorOf(ctx));
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return notFound(ctx, 'Ce jeton n’existe pas.');
      throw err;
    }
    seeOther(ctx, '/admin/tokens?ok=token-revoked');
  });

  signedIn.post('/tokens/initial-access', async (ctx) => {
    const raw = String((ctx.request.body as { days?: unknown } | undefined)?.days ?? '').trim();
    const days = /^\d{1,2}$/.test(raw) ? Number(raw) : 0;
    if (days < 1 || days > 90) {
      ctx.status = 400;
      return tokensPage(ctx, {
        errors: [
          {
            field: 'days',
            href: '#iat-days',
            label: 'Validité du jeton d’accès initial',
            message: 'indiquez un nombre de jours entre 1 et 90',
          },
        ],
        iatDays: raw.slice(0, 10),
      });
    }
    const iat = new provider.InitialAccessToken({ expiresIn: days * 86_400, policies: ['single-use'] });
    const value = await iat.save();
    await clients.auditEvent({
      ...actorOf(ctx),
      action: 'initial_access_token.create',
      targetType: 'initial_access_token',
      // An opaque token's value is its jti: only a fingerprint goes into the trail.
      targetId: hashToken(iat.jti).slice(0, 16),
      after: { expires_in_days: days },
    });
    page(ctx, 'admin/iat-created', {
      title: 'Jeton d’accès initial émis',
      token: value,
      expiresAt: formatMoment(new Date(Date.now() + days * 86_400_000)),
      registrationEndpoint: `${deps.issuer}/reg`,
    });
  });

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
