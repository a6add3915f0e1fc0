// Who is using the admin console: an admin in the server-side session shared with the jobseeker's
// space (our own keys only, `admin*`). Password first; then the TOTP code, or the enrolment of a first
// authenticator (with an enrolment code); only then signed in, under a new session id. Wrong codes are
// counted per admin account in the database (admin-second-factor.ts), not here: a new session or a
// correct password gives no new tries. Idle (15 min) and absolute (8 h)
// timeouts are enforced on the server, and a disabled admin loses the console at the next request.
import type Koa from 'koa';
import type { AdminAccounts } from './admin-accounts.ts';

export const IDLE_MS = 15 * 60_000;
export const ABSOLUTE_MS = 8 * 3_600_000;
// Between the password and the code: short.
const PENDING_MS = 10 * 60_000;

interface AdminSession {
  adminId?: string;
  adminAuthAt?: number;
  adminSeenAt?: number;
  adminPendingId?: string;
  adminPendingAt?: number;
  /** this session used the admin's enrolment code: it may see the new secret and confirm it */
  adminEnrolling?: boolean;
}

const KEYS = [
  'adminId',
  'adminAuthAt',
  'adminSeenAt',
  'adminPendingId',
  'adminPendingAt',
  'adminEnrolling',
] as const;

const sessionOf = (ctx: Koa.Context) => ctx.session as unknown as AdminSession | null;

function clear(ctx: Koa.Context): void {
  const session = sessionOf(ctx);
  if (!session) return;
  for (const key of KEYS) delete session[key];
}

/** The password was right: remember who is half-way in, and nothing else (no secret). */
export function startSecondFactor(ctx: Koa.Context, adminId: string): void {
  clear(ctx);
  const session = sessionOf(ctx) as AdminSession;
  session.adminPendingId = adminId;
  session.adminPendingAt = Date.now();
}

/** The admin between the password and the code, if that step is recent enough. */
export function pendingAdminId(ctx: Koa.Context): string | undefined {
  const session = sessionOf(ctx);
  if (!session?.adminPendingId) return undefined;
  if (Date.now() - (session.adminPendingAt ?? 0) > PENDING_MS) {
    clear(ctx);
    return undefined;
  }
  return session.adminPendingId;
}

/** The enrolment code was right: this session may now see the new secret and confirm it. */
export function enrolmentStarted(ctx: Koa.Context): void {
  (sessionOf(ctx) as AdminSession).adminEnrolling = true;
}

export const isEnrolling = (ctx: Koa.Context) => Boolean(sessionOf(ctx)?.adminEnrolling);

export async function completeSignIn(ctx: Koa.Context, adminId: string): Promise<void> {
  clear(ctx);
  // A fresh id once fully signed in: a session id fixed or seen before is worth nothing after it.
  await (ctx.session as unknown as { regenerate(): Promise<void> }).regenerate();
  const session = sessionOf(ctx) as AdminSession;
  session.adminId = adminId;
  session.adminAuthAt = Date.now();
  session.adminSeenAt = Date.now();
}

/** Leaves the console only: a jobseeker's space open in the same browser is not touched. */
export function signOutAdmin(ctx: Koa.Context): void {
  clear(ctx);
}

function liveAdminId(ctx: Koa.Context, now: number): string | undefined {
  const session = sessionOf(ctx);
  if (!session?.adminId) return undefined;
  const live = now - (session.adminAuthAt ?? 0) < ABSOLUTE_MS && now - (session.adminSeenAt ?? 0) < IDLE_MS;
  return live ? session.adminId : undefined;
}

export const isSignedIn = (ctx: Koa.Context) => Boolean(liveAdminId(ctx, Date.now()));

export function requireAdmin(admins: AdminAccounts): Koa.Middleware {
  return async (ctx, next) => {
    const now = Date.now();
    const had = Boolean(sessionOf(ctx)?.adminId);
    const id = liveAdminId(ctx, now);
    const admin = id ? await admins.find(id) : undefined;
    const valid = admin && !admin.disabled_at && (!admins.totpRequired || admin.totp_enabled_at);
    if (!valid) {
      if (had) clear(ctx);
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') ctx.status = 303;
      ctx.redirect(had ? '/admin/login?expire=1' : '/admin/login');
      return;
    }
    (sessionOf(ctx) as AdminSession).adminSeenAt = now;
    ctx.state.admin = admin;
    await next();
  };
}
