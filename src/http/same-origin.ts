// Cross-site form posts are refused before they reach a handler: the Origin header (sent by browsers
// on every POST) must be ours. Complements the CSRF token (../SECURITY.md, "Consent pages").
import type Koa from 'koa';
import { AppError } from './app-error.ts';

export function sameOriginPosts(issuer: string): Koa.Middleware {
  const origin = new URL(issuer).origin;
  return async (ctx, next) => {
    if (ctx.method === 'POST') {
      const sent = ctx.get('Origin');
      if (sent && sent !== origin)
        throw new AppError(403, 'forbidden', 'Requête refusée : elle ne vient pas de ce site.');
    }
    await next();
  };
}
