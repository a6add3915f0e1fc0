// CORS on the resource API for browser apps (public clients): a response is readable from the exact
// web origins of the redirect URIs of the app the access token was issued to, never with credentials
// (tokens travel in the Authorization header, never in cookies) and never with a wildcard. A
// preflight carries no token, so it is answered for the origins of every active public client; the
// request itself then gets its Access-Control-Allow-Origin only if the token's app has that origin.
import type Koa from 'koa';
import { webOriginsOf } from '../clients/web-origins.ts';
import type { Pool } from '../db/pool.ts';
import { guarded } from '../oidc/postgres-adapter.ts';
import { publicClientRedirectUris } from './cors-queries.ts';

const EXPOSED = 'WWW-Authenticate, DPoP-Nonce';

/** On a response: allows its Origin when it is one of the app's web origins. */
export function allowAppOrigin(ctx: Koa.Context, publicRedirectUris: readonly string[] | null): void {
  const origin = ctx.get('Origin');
  if (!origin || !publicRedirectUris || !webOriginsOf(publicRedirectUris).has(origin)) return;
  ctx.set('Access-Control-Allow-Origin', origin);
  ctx.set('Access-Control-Expose-Headers', EXPOSED);
}

/** Answers CORS preflights (OPTIONS with Access-Control-Request-Method) on `paths`; other requests go on. */
export function apiPreflight(pool: Pool, paths: ReadonlySet<string>): Koa.Middleware {
  return async (ctx, next) => {
    // Only the API's own paths, read exactly as its router reads them (api-routes.ts).
    if (!paths.has(ctx.path)) return next();
    ctx.vary('Origin');
    if (ctx.method !== 'OPTIONS' || !ctx.get('Access-Control-Request-Method')) return next();
    const origin = ctx.get('Origin');
    ctx.status = 204;
    if (!origin || !webOriginsOf(await guarded(() => publicClientRedirectUris(pool))).has(origin)) return;
    ctx.set('Access-Control-Allow-Origin', origin);
    ctx.set('Access-Control-Allow-Methods', 'GET');
    ctx.set('Access-Control-Allow-Headers', 'Authorization, DPoP');
    ctx.set('Access-Control-Max-Age', '600'); // seconds
  };
}
