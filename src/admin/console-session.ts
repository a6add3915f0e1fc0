// Who is using the admin console: an admin in the server-side session shared with the jobseeker's
// space (our own keys only, `admin*`), signed in with a password and a second factor
// (../security/second-factor-session.ts). Wrong codes are counted per admin account in the database
// (admin-second-factor.ts), not here.
import type Koa from 'koa';
import { secondFactorSession } from '../security/second-factor-session.ts';
import type { AdminAccounts } from './admin-accounts.ts';

export const adminSession = secondFactorSession({ word: 'admin', loginPath: '/admin/login' });

export function requireAdmin(admins: AdminAccounts): Koa.Middleware {
  return adminSession.require(admins, (ctx, admin) => {
    ctx.state.admin = admin;
  });
}
