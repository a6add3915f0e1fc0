// /admin/tokens: the admin API's bearer tokens (created, shown once, revoked) and RFC 7591 initial
// access tokens for self-service registration.
import Router from '@koa/router';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Pool } from '../db/pool.ts';
import { AppError } from '../http/app-error.ts';
import type { Render } from '../http/render.ts';
import { seeOther } from '../http/see-other.ts';
import type { AdminAccounts } from './admin-accounts.ts';
import { actorOf } from './admin-api-auth.ts';
import type { FieldError } from './client-form-errors.ts';
import { notFoundPage, noticeOf } from './console-notices.ts';
import { consolePage } from './console-page.ts';
import { formatMoment, parisEndOfDay } from './french-format.ts';
import { issueInitialAccessToken } from './initial-access-tokens.ts';
import { tokensView } from './tokens-view.ts';

export function consoleTokenRoutes(deps: {
  issuer: string;
  pool: Pool;
  provider: Provider;
  render: Render;
  admins: AdminAccounts;
}) {
  const { admins } = deps;
  const router = new Router();
  const page = consolePage(deps.render);

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

  router.get('/tokens', (ctx) => tokensPage(ctx));

  router.post('/tokens', async (ctx) => {
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
      if (!(err instanceof AppError && err.status === 400)) throw err;
      const onExpiry = /expiration/.test(err.message);
      return fail(
        onExpiry ? 'expires' : 'name',
        onExpiry ? 'Date d’expiration' : 'Nom du jeton',
        err.message,
      );
    }
  });

  router.post('/tokens/:id/revoke', async (ctx) => {
    try {
      await admins.revokeToken(String(ctx.params.id), actorOf(ctx));
    } catch (err) {
      if (err instanceof AppError && err.status === 404)
        return notFoundPage(page, ctx, 'Ce jeton n’existe pas.');
      throw err;
    }
    seeOther(ctx, '/admin/tokens?ok=token-revoked');
  });

  router.post('/tokens/initial-access', async (ctx) => {
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
    const value = await issueInitialAccessToken(deps, actorOf(ctx), days);
    page(ctx, 'admin/iat-created', {
      title: 'Jeton d’accès initial émis',
      token: value,
      expiresAt: formatMoment(new Date(Date.now() + days * 86_400_000)),
      registrationEndpoint: `${deps.issuer}/reg`,
    });
  });

  return router;
}
