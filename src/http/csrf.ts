// CSRF protection of our forms without a server-side row per visitor (OWASP's "signed double-submit
// cookie"), on the `csrf` library that koa-csrf is built on. Guarantees:
// - The secret lives in the browser's own cookie: HttpOnly, SameSite=Lax, signed with COOKIE_SECRETS
//   (Koa's keygrip) and, in production, `__Host-` prefixed (Secure, Path=/, no Domain), so neither
//   a sibling host nor a plain-http answer can plant one. A visitor who only looks stores nothing.
// - A page's token is derived from that secret by `csrf` (salted per page, compared in constant
//   time). A POST (any method but GET, HEAD, OPTIONS) must carry one, as the `_csrf` form field or
//   the X-CSRF-Token header, that verifies against this browser's secret: no token, a made-up one,
//   another browser's, or a token without its cookie → 403.
// - The secret outlives a sign-in, as it did when it was kept in the session (regenerate() carried
//   it over): a form opened before is still accepted; what changes at sign-in is the session id.
// - Cross-site posts are refused before this, by the same-origin check (same-origin.ts).
import Tokens from 'csrf';
import type Koa from 'koa';

const tokens = new Tokens();
const EXCLUDED = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'koa' {
  interface DefaultState {
    /** the CSRF token for this page's forms; reading it sets the secret's cookie when there is none */
    _csrf?: string;
  }
}

export interface CsrfOptions {
  secure: boolean;
  onRefused: (ctx: Koa.Context) => never;
}

export function csrfProtection(options: CsrfOptions): Koa.Middleware {
  const name = options.secure ? '__Host-pec.csrf' : 'pec.csrf';
  const cookie = {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    path: '/',
    overwrite: true,
  } as const;
  // The secret the browser sent, if its signature holds.
  const secretOf = (ctx: Koa.Context) => ctx.cookies.get(name, { signed: true }) || undefined;

  function issue(ctx: Koa.Context): string {
    const secret = tokens.secretSync();
    ctx.cookies.set(name, secret, cookie);
    return secret;
  }

  return async (ctx, next) => {
    let token: string | undefined; // one per answer, its secret set at most once
    Object.defineProperty(ctx.state, '_csrf', {
      configurable: true,
      enumerable: true,
      get() {
        token ??= tokens.create(secretOf(ctx) ?? issue(ctx));
        return token;
      },
    });
    if (!EXCLUDED.has(ctx.method)) {
      const field = (ctx.request.body as { _csrf?: unknown } | undefined)?._csrf;
      const presented = typeof field === 'string' && field ? field : ctx.get('X-CSRF-Token');
      const secret = secretOf(ctx);
      if (!presented || !secret || !tokens.verify(secret, presented)) options.onRefused(ctx);
    }
    await next();
  };
}
