// RFC 7662 §2.2: an introspection answer's `scope` lists the scopes associated with the token.
// oidc-provider answers with the scopes the token was issued with, but the jobseeker may have taken
// some back since (in /account, or on a later consent page). The Grant introspection loads carries
// the live consent (consents/grant-builder.ts), so the answer keeps only the token's scopes that
// Grant still grants: read from the Grant oidc-provider already holds, no query of its own.
import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';

const words = (scope: string) => scope.split(' ').filter(Boolean);

export function introspectionScope(apiAudience: string): Middleware {
  return async (ctx, next) => {
    await next();
    const { oidc } = ctx as unknown as KoaContextWithOIDC;
    if (oidc?.route !== 'introspection') return;
    const body = ctx.body as { active?: boolean; scope?: unknown } | undefined;
    const grant = oidc.entities.Grant;
    if (!body?.active || typeof body.scope !== 'string' || !grant) return;
    const live = new Set([...words(grant.getOIDCScope()), ...words(grant.getResourceScope(apiAudience))]);
    body.scope =
      words(body.scope)
        .filter((scope) => live.has(scope))
        .join(' ') || undefined;
  };
}
