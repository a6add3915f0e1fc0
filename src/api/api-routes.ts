// The resource API: GET /api/v1/<scope> returns only the fields consented to at this moment.
import Router from '@koa/router';
import type Koa from 'koa';
import type { Catalog } from '../catalog/load-catalog.ts';
import { buildOpenApi } from '../catalog/openapi.ts';
import type { Config } from '../config.ts';
import type { Pool } from '../db/pool.ts';
import { noStore } from '../http/security-headers.ts';
import type { AccessLog } from './access-log.ts';
import { BearerError, bearerAuth } from './bearer-auth.ts';
import { filterScopeValue, grantedFieldIds } from './filter-fields.ts';

const apiErrors: Koa.Middleware = async (ctx, next) => {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 404;
      ctx.body = { error: 'not_found', error_description: 'no such resource' };
    }
  } catch (err) {
    if (!(err instanceof BearerError)) throw err;
    ctx.status = err.status;
    ctx.set('WWW-Authenticate', err.challenge(ctx.state.caller?.scheme));
    ctx.body = { error: err.error ?? 'invalid_token', error_description: err.description };
  }
};

export function apiRoutes(deps: { config: Config; pool: Pool; catalog: Catalog; accessLog: AccessLog }) {
  const { config, pool, catalog } = deps;
  const openapi = buildOpenApi(catalog, { apiBaseUrl: config.apiAudience, issuer: config.issuer });
  const router = new Router({ prefix: '/api' });

  router.get('/openapi.json', (ctx) => {
    ctx.body = openapi;
  });

  const v1 = new Router({ prefix: '/v1' });
  // The data scope a path names (/api/v1/<scope>): its row comes with the token checks, in one statement.
  const dataScopeOf = (ctx: Koa.Context) => {
    const id = ctx.path.slice(ctx.path.lastIndexOf('/') + 1);
    return catalog.byId.get(id)?.kind === 'data' ? id : null;
  };
  v1.use(
    noStore,
    apiErrors,
    bearerAuth({ pool, audience: config.apiAudience, issuer: config.issuer, dataScopeOf }),
  );

  v1.get('/consent', (ctx) => {
    const { clientId, consent } = ctx.state.caller as NonNullable<typeof ctx.state.caller>;
    ctx.body = {
      client_id: clientId,
      fields: consent.fields,
      granted_at: consent.granted_at.toISOString(),
      expires_at: consent.expires_at.toISOString(),
    };
  });

  v1.get('/:scope', async (ctx) => {
    const scope = catalog.byId.get(ctx.params.scope as string);
    if (scope?.kind !== 'data') {
      ctx.status = 404;
      ctx.body = { error: 'not_found', error_description: 'unknown data scope' };
      return;
    }
    const caller = ctx.state.caller as NonNullable<typeof ctx.state.caller>;
    const fields = grantedFieldIds(scope.id, caller.consent.fields);
    if (!caller.scopes.has(scope.id) || fields.size === 0) {
      throw new BearerError(403, 'insufficient_scope', `no consent for scope ${scope.id}`, scope.id);
    }
    ctx.body = filterScopeValue(scope, caller.data, fields);
    deps.accessLog.record({
      jobseekerId: caller.accountId,
      clientId: caller.clientId,
      scope: scope.id,
      fields: [...fields],
      readAt: new Date(),
    });
  });

  router.use(v1.routes(), v1.allowedMethods());
  return router;
}
