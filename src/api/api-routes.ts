// The resource API: GET /api/v1/<scope> returns only the fields consented to at this moment.
// Guarantees: a path is read one way only, the router's, with no decoding: /api/v1/<scope> exactly as
// the catalog names it (no trailing slash, other case or percent-encoding); any other path under
// /api matches no route, reads nothing and is a JSON 404. HEAD is refused (405): it would read the
// data without sending it. A read enters the jobseeker's access log once its body has been sent.
import Router from '@koa/router';
import type Koa from 'koa';
import type { Catalog } from '../catalog/load-catalog.ts';
import { buildOpenApi } from '../catalog/openapi.ts';
import type { Config } from '../config.ts';
import type { Pool } from '../db/pool.ts';
import { noStore } from '../http/security-headers.ts';
import type { AccessLog } from './access-log.ts';
import { BearerError, bearerAuth, type ChallengeContext } from './bearer-auth.ts';
import { filterScopeValue, grantedFieldIds } from './filter-fields.ts';
import { protectedResourceMetadataUrl } from './protected-resource-metadata.ts';

const apiErrors =
  (challenge: ChallengeContext): Koa.Middleware =>
  async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: 'not_found', error_description: 'no such resource' };
      }
    } catch (err) {
      if (!(err instanceof BearerError)) throw err;
      ctx.status = err.status;
      ctx.set('WWW-Authenticate', err.challenge(challenge, ctx.state.caller?.scheme));
      ctx.body = { error: err.error ?? 'invalid_token', error_description: err.description };
    }
  };

/** The paths of the API's routes (for CORS preflights, api-cors.ts). */
export const apiPaths = (catalog: Catalog) =>
  new Set(['/api/v1/consent', ...catalog.dataScopes.map((s) => `/api/v1/${s.id}`)]);

export function apiRoutes(deps: { config: Config; pool: Pool; catalog: Catalog; accessLog: AccessLog }) {
  const { config, pool, catalog } = deps;
  const openapi = buildOpenApi(catalog, { apiBaseUrl: config.apiAudience, issuer: config.issuer });
  // strict and sensitive: /consent/ or /Consent is not /consent. The router matches the raw path.
  const router = new Router({ prefix: '/api', strict: true, sensitive: true });
  const auth = (dataScope: string | null) =>
    bearerAuth({ pool, audience: config.apiAudience, issuer: config.issuer, dataScope });

  router.get('/openapi.json', (ctx) => {
    ctx.body = openapi;
  });

  const v1 = new Router({ prefix: '/v1', strict: true, sensitive: true });
  // Runs only on a path a route below matches: the router registers HEAD along with each GET.
  const errors = apiErrors({
    realm: config.issuer,
    resourceMetadata: protectedResourceMetadataUrl(config.apiAudience),
  });
  v1.use(noStore, errors, async (ctx, next) => {
    if (ctx.method === 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET');
      ctx.body = { error: 'method_not_allowed', error_description: 'the resource API answers GET only' };
      return;
    }
    await next();
  });

  v1.get('/consent', auth(null), (ctx) => {
    const { clientId, consent } = ctx.state.caller as NonNullable<typeof ctx.state.caller>;
    ctx.body = {
      client_id: clientId,
      fields: consent.fields,
      granted_at: consent.granted_at.toISOString(),
      expires_at: consent.expires_at.toISOString(),
    };
  });

  // One route per data scope: the route names the scope whose row is read with the token, in one
  // statement, and whose consented fields are sent.
  for (const scope of catalog.dataScopes) {
    v1.get(`/${scope.id}`, auth(scope.id), (ctx) => {
      const caller = ctx.state.caller as NonNullable<typeof ctx.state.caller>;
      const fields = grantedFieldIds(scope.id, caller.consent.fields);
      // RFC 6750 §3.1: insufficient_scope, naming the scope and why it is not covered.
      const refuse = (why: string) => new BearerError(403, 'insufficient_scope', why, scope.id);
      if (!caller.registeredScopes.has(scope.id)) {
        throw refuse(`the application is no longer registered for scope ${scope.id}`);
      }
      if (!caller.tokenScopes.has(scope.id)) {
        throw refuse(
          `the access token does not cover scope ${scope.id}: it was not requested, or no field of it was consented to`,
        );
      }
      if (fields.size === 0) throw refuse(`the consent no longer covers any field of scope ${scope.id}`);
      ctx.body = filterScopeValue(scope, caller.data, fields);
      const entry = {
        jobseekerId: caller.accountId,
        clientId: caller.clientId,
        scope: scope.id,
        fields: [...fields],
        readAt: new Date(),
      };
      // 'finish': the whole body was handed to the connection; a request cut off before is no read.
      ctx.res.once('finish', () => {
        if (ctx.res.statusCode === 200) deps.accessLog.record(entry);
      });
    });
  }

  // A path no route matches reads nothing and ends as the error handler's JSON 404.
  router.use(v1.routes(), v1.allowedMethods());
  return router;
}
