// Bearer authentication for /admin/api: an admin API token (never a cookie, so a jobseeker's or an
// admin's browser session cannot be ridden into the API). Errors are { error, error_description }.
import type Koa from 'koa';
import type { AdminAccounts } from './admin-accounts.ts';
import type { AdminRow } from './admin-queries.ts';

declare module 'koa' {
  interface DefaultState {
    admin?: AdminRow;
  }
}

export function adminBearer(admins: AdminAccounts): Koa.Middleware {
  return async (ctx, next) => {
    const match = /^Bearer ([^\s]+)$/i.exec(ctx.get('Authorization'));
    const admin = match?.[1] ? await admins.authenticateToken(match[1]) : undefined;
    if (!admin) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer realm="pole-emploi-connect-admin"');
      ctx.body = { error: 'invalid_token', error_description: 'a valid admin API token is required' };
      return;
    }
    ctx.state.admin = admin;
    await next();
  };
}

export const actorOf = (ctx: Koa.Context) => ({
  actor: `admin:${(ctx.state.admin as AdminRow).email}`,
  requestId: ctx.state.requestId,
});
