// The admin JSON API at /admin/api, with bearer admin tokens: the same operations as the console,
// validated with zod, errors as { error, error_description } with the right status, each change
// audited by the services. Secrets appear only in the response that creates them.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import type { AdvisorAccounts } from '../advisors/advisor-accounts.ts';
import { registerAdvisorApiRoutes } from '../advisors/advisor-api-routes.ts';
import { listAudit } from '../audit/audit-queries.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { ClientService } from '../clients/client-service.ts';
import { fromRfc7591, toRfc7591 } from '../clients/rfc7591.ts';
import type { Pool } from '../db/pool.ts';
import { AppError } from '../http/app-error.ts';
import { noStore } from '../http/security-headers.ts';
import type { AdminAccounts } from './admin-accounts.ts';
import { actorOf, adminBearer } from './admin-api-auth.ts';
import { clientBody, createBody, iatBody, tokenBody } from './admin-api-schemas.ts';
import { adminOpenApi } from './admin-openapi.ts';
import { issueInitialAccessToken } from './initial-access-tokens.ts';

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new AppError(
      400,
      'invalid_request',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

const jsonErrors: Koa.Middleware = async (ctx, next) => {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined)
      throw new AppError(404, 'not_found', 'no such resource');
  } catch (err) {
    const status = (err as { status?: number }).status ?? 500;
    if (status >= 500) throw err;
    ctx.status = status;
    ctx.body = {
      error: err instanceof AppError ? err.code : 'invalid_request',
      error_description: (err as Error).message,
    };
  }
};

export function adminApiRoutes(deps: {
  issuer: string;
  pool: Pool;
  catalog: Catalog;
  clients: ClientService;
  admins: AdminAccounts;
  /** advisor accounts (issue 16), on this router so they share its authentication and errors */
  advisors?: AdvisorAccounts;
  provider: Provider;
}) {
  const { pool, clients, admins, provider } = deps;
  const router = new Router({ prefix: '/admin/api' });
  const openapi = adminOpenApi(deps.issuer);

  router.use(noStore, jsonErrors);
  router.get('/openapi.json', (ctx) => {
    ctx.body = openapi;
  });
  router.use(adminBearer(admins), bodyParser({ enableTypes: ['json'], jsonLimit: '100kb' }));

  const found = async (id: string) => {
    const row = await clients.find(id);
    if (!row) throw new AppError(404, 'not_found', 'no such client');
    return row;
  };

  router.get('/clients', async (ctx) => {
    ctx.body = (await clients.list()).map(toRfc7591);
  });

  router.post('/clients', async (ctx) => {
    const { client_id, ...body } = parse(createBody, ctx.request.body);
    const created = await clients.create(
      { status: 'pending', ...fromRfc7591(body), ...(client_id === undefined ? {} : { client_id }) },
      actorOf(ctx),
    );
    ctx.status = 201;
    ctx.set('Location', `/admin/api/clients/${encodeURIComponent(created.client_id)}`);
    ctx.body = { ...toRfc7591(await found(created.client_id)), ...created };
  });

  router.get('/clients/:id', async (ctx) => {
    ctx.body = toRfc7591(await found(String(ctx.params.id)));
  });

  router.patch('/clients/:id', async (ctx) => {
    const body = parse(clientBody, ctx.request.body);
    if (!Object.keys(body).length) throw new AppError(400, 'invalid_request', 'nothing to change');
    ctx.body = toRfc7591(await clients.update(String(ctx.params.id), fromRfc7591(body), actorOf(ctx)));
  });

  router.delete('/clients/:id', async (ctx) => {
    await clients.remove(String(ctx.params.id), actorOf(ctx));
    ctx.status = 204;
  });

  router.post('/clients/:id/secret', async (ctx) => {
    ctx.body = await clients.rotateSecret(String(ctx.params.id), actorOf(ctx));
  });

  router.get('/audit', async (ctx) => {
    const q = parse(
      z.object({
        target_type: z.string().max(50).optional(),
        target_id: z.string().max(200).optional(),
        // At most 18 digits: within bigint, whose range a 19-digit value may exceed (a 500).
        before: z
          .string()
          .regex(/^\d{1,18}$/)
          .optional(),
      }),
      ctx.query,
    );
    ctx.body = await listAudit(pool, {
      targetType: q.target_type,
      targetId: q.target_id,
      beforeId: q.before,
      limit: 100,
    });
  });

  router.get('/tokens', async (ctx) => {
    ctx.body = await admins.listTokens();
  });

  router.post('/tokens', async (ctx) => {
    const body = parse(tokenBody, ctx.request.body);
    const admin = ctx.state.admin as NonNullable<typeof ctx.state.admin>;
    ctx.status = 201;
    ctx.body = await admins.createToken(
      admin.id,
      body.name,
      body.expires_at ? new Date(body.expires_at) : null,
      actorOf(ctx),
    );
  });

  router.delete('/tokens/:id', async (ctx) => {
    await admins.revokeToken(String(ctx.params.id), actorOf(ctx));
    ctx.status = 204;
  });

  // Admin accounts and their second factor (no secret, no enrolment code).
  router.get('/admins', async (ctx) => {
    ctx.body = (await admins.list()).map((a) => ({
      id: a.id,
      email: a.email,
      created_at: a.created_at,
      disabled_at: a.disabled_at,
      totp_enabled_at: a.totp_enabled_at,
      second_factor_failures: a.failures,
      locked_at: a.locked_at,
      next_attempt_at: a.blocked_until,
      enrolment_code_expires_at: a.enrolment_code_expires_at,
    }));
  });

  // Lifts another admin's second-factor lock (an admin cannot lift their own: 403).
  router.post('/admins/:id/unlock', async (ctx) => {
    const admin = ctx.state.admin as NonNullable<typeof ctx.state.admin>;
    ctx.body = await admins.unlock(String(ctx.params.id), { ...actorOf(ctx), adminId: admin.id });
  });

  // RFC 7591: an initial access token for one self-service registration (POST /reg).
  router.post('/initial-access-tokens', async (ctx) => {
    const body = parse(iatBody, ctx.request.body);
    const value = await issueInitialAccessToken({ pool, provider }, actorOf(ctx), body.expires_in_days);
    ctx.status = 201;
    ctx.body = {
      initial_access_token: value,
      expires_in: body.expires_in_days * 86_400,
      // Not ctx.origin: in Koa 3 that is the request's Origin header.
      registration_endpoint: `${deps.issuer}/reg`,
    };
  });

  if (deps.advisors) registerAdvisorApiRoutes(router, deps.advisors);

  return router;
}
