// What oidc-provider answers, completed where it cannot know our data scopes (a post-middleware,
// oidc-provider's documented `provider.use`):
//   - discovery (OpenID Discovery and RFC 8414 alike): scopes_supported lists every scope of the
//     catalog, data scopes included — they are resource scopes for oidc-provider, which lists only
//     its static (OIDC) ones;
//   - a token response: `scope` adds the data scopes the access token covers at the API
//     (one-token.ts), as RFC 6749 §5.1 asks when the issued scope differs from the requested one;
//   - an introspection response (RFC 7662): the same `scope`;
//   - a revocation response (RFC 7009 §2.2): oidc-provider answers an empty 200, which Koa labels
//     text/plain; browser libraries such as oidc-client-ts refuse any answer that is not JSON and
//     then never finish their logout. An empty JSON object says the same thing in JSON.
import type { KoaContextWithOIDC } from 'oidc-provider';
import { API_SCOPE_CLAIM, withApiScope } from './one-token.ts';

type Next = () => Promise<unknown>;

export function completeResponses(o: { dataScopeIds: readonly string[] }) {
  return async (ctx: KoaContextWithOIDC, next: Next) => {
    await next();
    if (ctx.oidc?.route === 'revocation' && ctx.status === 200 && ctx.body === '') {
      ctx.body = {};
      return;
    }
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.status !== 200 || !body || typeof body !== 'object') return;
    const route = ctx.oidc?.route;
    if (route === 'discovery' && Array.isArray(body.scopes_supported)) {
      body.scopes_supported = [...new Set([...body.scopes_supported, ...o.dataScopeIds])];
    } else if (route === 'token' && typeof body.access_token === 'string') {
      const token = ctx.oidc.entities.AccessToken as { extra?: Record<string, unknown> } | undefined;
      const scope = withApiScope(body.scope, token?.extra);
      if (scope) body.scope = scope;
    } else if (route === 'introspection' && body.active === true && API_SCOPE_CLAIM in body) {
      // RFC 7662 §2.2: oidc-provider lists the token's extra claims at the top level; ours belongs in
      // `scope`.
      const scope = withApiScope(body.scope, body);
      delete body[API_SCOPE_CLAIM];
      if (scope) body.scope = scope;
    }
  };
}
