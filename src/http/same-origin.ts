// Cross-site form posts are refused before they reach a handler (../SECURITY.md, "Consent pages"),
// in addition to the CSRF token. Browsers send Sec-Fetch-Site on every request; under our
// `Referrer-Policy: no-referrer` they send `Origin: null` on same-origin form posts, so Origin alone
// cannot tell. A post is accepted when the browser says it is same-origin, or, for clients that send
// no Sec-Fetch-Site, when Origin is absent or ours.
import type Koa from 'koa';
import { AppError } from './app-error.ts';

export function sameOriginPosts(issuer: string): Koa.Middleware {
  const ours = new URL(issuer).origin;
  return async (ctx, next) => {
    if (ctx.method === 'POST') {
      const site = ctx.get('Sec-Fetch-Site');
      const origin = ctx.get('Origin');
      const sameOrigin = site ? site === 'same-origin' : !origin || origin === ours;
      if (!sameOrigin || (origin && origin !== 'null' && origin !== ours)) {
        throw new AppError(403, 'forbidden', 'Requête refusée : elle ne vient pas de ce site.');
      }
    }
    await next();
  };
}
