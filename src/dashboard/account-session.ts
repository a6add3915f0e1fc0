// Who is looking at /account: the jobseeker id kept in our server-side session after a password
// login, at /account or during an app's flow (the same credentials and checks). The session id
// changes at login; idle and absolute timeouts are enforced on the server, and a disabled account
// loses its session. One sign-in with oidc-provider's own session: a login in a flow signs in here
// too, a live sign-in here answers a flow's login step (interaction-routes.ts), and each logout ends
// both (signOutWithProvider here, endProviderSession at /account's logout).
// lastSeenAt moves at most once a minute: koa-session writes a session back only when it changed, so
// most page views cost no write, and the idle timeout holds to that minute (never later).
import type Koa from 'koa';
import type { Pool } from '../db/pool.ts';
import { findJobseekerById } from '../profiles/jobseeker-queries.ts';

const IDLE_MS = 30 * 60_000;
const SEEN_EVERY_MS = 60_000;

interface AccountSession {
  jobseekerId?: string;
  authenticatedAt?: number;
  lastSeenAt?: number;
}

declare module 'koa' {
  interface DefaultState {
    jobseekerId?: string;
  }
}

const sessionOf = (ctx: Koa.Context) => ctx.session as unknown as AccountSession | null;

export async function signIn(ctx: Koa.Context, jobseekerId: string): Promise<void> {
  // A fresh id at login: a session fixed before login is worth nothing after it. A new session
  // already gets one (koa-session never adopts an id it has no row for).
  const current = ctx.session as unknown as { isNew?: boolean; regenerate(): Promise<void> };
  if (!current.isNew) await current.regenerate();
  const session = sessionOf(ctx) as AccountSession;
  session.jobseekerId = jobseekerId;
  session.authenticatedAt = Date.now();
  session.lastSeenAt = Date.now();
}

// The session may also hold an admin console sign-in (same browser): only the jobseeker's keys go.
export function signOut(ctx: Koa.Context): void {
  const session = sessionOf(ctx);
  if (!session) return;
  delete session.jobseekerId;
  delete session.authenticatedAt;
  delete session.lastSeenAt;
}

/**
 * The jobseeker signed in to /account in this browser, if that sign-in is within its idle and
 * absolute timeouts and the account is not disabled; they are seen now. A sign-in that no longer
 * holds is ended.
 */
export async function currentJobseeker(
  ctx: Koa.Context,
  pool: Pool,
  absoluteMs: number,
): Promise<{ id: string; authenticatedAt: number } | undefined> {
  const session = sessionOf(ctx);
  const now = Date.now();
  const valid =
    session?.jobseekerId &&
    now - (session.authenticatedAt ?? 0) < absoluteMs &&
    now - (session.lastSeenAt ?? 0) < IDLE_MS;
  const jobseeker = valid ? await findJobseekerById(pool, session.jobseekerId as string) : undefined;
  if (!jobseeker || jobseeker.disabled_at) {
    if (session?.jobseekerId) signOut(ctx);
    return undefined;
  }
  const seen = session as AccountSession;
  if (now - (seen.lastSeenAt ?? 0) >= SEEN_EVERY_MS) seen.lastSeenAt = now;
  return { id: jobseeker.id, authenticatedAt: seen.authenticatedAt as number };
}

export function requireJobseeker(pool: Pool, absoluteMs: number): Koa.Middleware {
  return async (ctx, next) => {
    const jobseeker = await currentJobseeker(ctx, pool, absoluteMs);
    if (!jobseeker) {
      ctx.redirect(`/account/login?retour=${encodeURIComponent(ctx.path)}`);
      return;
    }
    ctx.state.jobseekerId = jobseeker.id;
    await next();
  };
}

// oidc-provider's end-session confirmation (its default route, which provider-config.ts keeps).
const END_SESSION_CONFIRM = '/session/end/confirm';

/**
 * One sign-in: when the jobseeker confirms « Oui, me déconnecter » on the end-session page, oidc-
 * provider ends its session and this ends the /account one with it. Mounted in front of the
 * provider; `session` is our pages' session middleware, run for that one route only.
 */
export function signOutWithProvider(session: Koa.Middleware): Koa.Middleware {
  return (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== END_SESSION_CONFIRM) return next();
    return session(ctx, async () => {
      await next();
      // oidc-provider's own reading of the form: `logout` set means "end the whole session"; without
      // it (« Non, rester connecté ») only the app's part ends, and the jobseeker stays signed in.
      const { oidc } = ctx as unknown as { oidc?: { route?: string; params?: { logout?: unknown } } };
      if (oidc?.route === 'end_session_confirm' && oidc.params?.logout && ctx.status === 303) signOut(ctx);
    });
  };
}

// Only same-origin relative paths under /account may be returned to after login (no open redirect).
export function safeReturnPath(value: unknown): string {
  return typeof value === 'string' && /^\/account(\/[\w\-/]*)?$/.test(value) ? value : '/account/consents';
}
