// The legacy Pôle emploi Connect resource APIs: GET /partenaire/<path> (legacy-apis.ts), for the apps
// written for Pôle emploi Connect, which change only their base URL. The same guarantees as the
// native API, from the same code: the token is checked by bearer-auth.ts on every request (ours,
// unexpired, app active, grant and consent live at this moment), the subject comes only from the
// token, and a legacy field leaves only when every native field it is made of is consented now, in a
// scope the token covers and the app is still registered for. Refusals: 401 for a missing, bad,
// expired or revoked token, a withdrawn consent, or a token that releases no field of the API
// (PECONNECT.md §5: "wrong-scope token"), 403 insufficient_scope when the app is registered for no
// scope of the API, 429 with Retry-After past the app's rate limit. Paths are matched raw,
// case-sensitive, without trailing slash; HEAD is refused (405). A read enters the access log,
// naming the legacy API, once its body has been sent.
import Router from '@koa/router';
import type Koa from 'koa';
import type { AccessLog } from '../api/access-log.ts';
import { BearerError, bearerAuth, type ChallengeContext } from '../api/bearer-auth.ts';
import { protectedResourceMetadataUrl } from '../api/protected-resource-metadata.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Config } from '../config.ts';
import type { Pool } from '../db/pool.ts';
import { noStore } from '../http/security-headers.ts';
import { legacyExternalId, pairwiseSubject } from '../legacy/legacy-id-claims.ts';
import { guarded } from '../oidc/postgres-adapter.ts';
import { type LegacyApi, legacyApis, legacyRefusal, readsByScope, releasedFields } from './legacy-apis.ts';
import { findLegacyProfile } from './legacy-profile-queries.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';

const legacyErrors =
  (challenge: ChallengeContext): Koa.Middleware =>
  async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof BearerError)) throw err;
      ctx.status = err.status;
      ctx.set('WWW-Authenticate', err.challenge(challenge, ctx.state.caller?.scheme));
      ctx.body = { error: err.error ?? 'invalid_token', error_description: err.description };
    }
  };

export function legacyApiRoutes(deps: {
  config: Config;
  pool: Pool;
  catalog: Catalog;
  accessLog: AccessLog;
  limiter?: RateLimiter;
}) {
  const { config, pool } = deps;
  const limiter = deps.limiter ?? createRateLimiter(config.legacyApiRateLimits);
  const router = new Router({ prefix: '/partenaire', strict: true, sensitive: true });
  const errors = legacyErrors({
    realm: config.issuer,
    resourceMetadata: protectedResourceMetadataUrl(config.apiAudience),
  });
  router.use(noStore, errors, async (ctx, next) => {
    if (ctx.method === 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET');
      ctx.body = { error: 'method_not_allowed', error_description: 'this API answers GET only' };
      return;
    }
    await next();
  });

  const serve =
    (api: LegacyApi): Koa.Middleware =>
    async (ctx) => {
      const caller = ctx.state.caller as NonNullable<typeof ctx.state.caller>;
      const decision = await limiter.take(caller.clientId);
      if (!decision.ok) {
        ctx.status = 429;
        ctx.set('Retry-After', String(decision.retryAfterSeconds));
        ctx.body = {
          error: 'too_many_requests',
          error_description: `rate limit of this application reached: retry in ${decision.retryAfterSeconds} s`,
        };
        return;
      }
      const released = releasedFields(api, {
        consentFields: caller.consent.fields,
        tokenScopes: new Set([...caller.tokenScopes, ...caller.oidcScopes]),
        registeredScopes: caller.registeredScopes,
      });
      const refusal = legacyRefusal(api, released, caller.registeredScopes);
      if (refusal)
        throw new BearerError(refusal.status, refusal.error, refusal.description, api.technicalScope);
      let claims: Record<string, unknown> = {};
      let updatedAt = new Date(0);
      if (api.dataScope === null) {
        const profile = await guarded(() => findLegacyProfile(pool, caller.accountId));
        if (!profile || profile.disabled_at) {
          throw new BearerError(401, 'invalid_token', 'the account behind the access token is closed');
        }
        claims = profile.claims;
        updatedAt = profile.updated_at;
      }
      ctx.body = api.map({
        claims,
        data: caller.data,
        released,
        sub: pairwiseSubject(config.secrets.pairwiseSalt, caller.clientId, caller.accountId),
        externalId: legacyExternalId(config.secrets.pairwiseSalt, caller.clientId, caller.accountId),
        updatedAt,
        now: new Date(),
      });
      const readAt = new Date();
      const entries = [...readsByScope(released)].map(([scope, fields]) => ({
        jobseekerId: caller.accountId,
        clientId: caller.clientId,
        scope,
        fields,
        readAt,
        api: api.path,
      }));
      // 'finish': the whole body was handed to the connection; a request cut off before is no read.
      ctx.res.once('finish', () => {
        if (ctx.res.statusCode === 200) for (const entry of entries) deps.accessLog.record(entry);
      });
    };

  for (const api of legacyApis(deps.catalog)) {
    const auth = bearerAuth({
      pool,
      audience: config.apiAudience,
      issuer: config.issuer,
      dataScope: api.dataScope,
    });
    router.get(`/${api.path}`, auth, serve(api));
  }
  return router;
}

/** Any other path under /partenaire: a JSON 404 (an app parses JSON there), reading nothing. */
export const legacyNotFound: Koa.Middleware = async (ctx, next) => {
  if (ctx.path !== '/partenaire' && !ctx.path.startsWith('/partenaire/')) return next();
  ctx.set('Cache-Control', 'no-store');
  ctx.status = 404;
  ctx.body = { error: 'not_found', error_description: 'no such legacy API' };
};
