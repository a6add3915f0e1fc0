// Headers on every response (../SECURITY.md, "Headers"). No inline script anywhere in our pages.
// form-action is deliberately absent: browsers apply it to the redirects that follow a form post,
// and the consent form must end in a redirect to the app.
import type Koa from 'koa';

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

export function securityHeaders(options: { production: boolean }): Koa.Middleware {
  return async (ctx, next) => {
    // Set before the handlers run: oidc-provider's self-submitting forms (response_mode=form_post, a
    // logout without a session) add their inline script's hash to the policy they find on the
    // response; set afterwards, the policy would block them. A handler may still replace it.
    ctx.set('Content-Security-Policy', CSP);
    await next();
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Referrer-Policy', 'no-referrer');
    if (options.production) ctx.set('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
  };
}

// Pages and answers that carry personal data or one-time state are never stored by caches, their
// error answers included (an error thrown below still leaves through here).
export const noStore: Koa.Middleware = async (ctx, next) => {
  try {
    await next();
  } finally {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
  }
};
