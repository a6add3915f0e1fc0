// Who is looking at /account: the jobseeker id kept in our server-side session after a password
// login (the same credentials and checks as the consent flow). The session id changes at login;
// idle and absolute timeouts are enforced on the server, and a disabled account loses its session.
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
  // A fresh id at login: a session fixed before login is worth nothing after it.
  await (ctx.session as unknown as { regenerate(): Promise<void> }).regenerate();
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

export function requireJobseeker(pool: Pool, absoluteMs: number): Koa.Middleware {
  return async (ctx, next) => {
    const session = sessionOf(ctx);
    const now = Date.now();
    const valid =
      session?.jobseekerId &&
      now - (session.authenticatedAt ?? 0) < absoluteMs &&
      now - (session.lastSeenAt ?? 0) < IDLE_MS;
    const jobseeker = valid ? await findJobseekerById(pool, session.jobseekerId as string) : undefined;
    if (!jobseeker || jobseeker.disabled_at) {
      if (session?.jobseekerId) signOut(ctx);
      ctx.redirect(`/account/login?retour=${encodeURIComponent(ctx.path)}`);
      return;
    }
    const seen = session as AccountSession;
    if (now - (seen.lastSeenAt ?? 0) >= SEEN_EVERY_MS) seen.lastSeenAt = now;
    ctx.state.jobseekerId = jobseeker.id;
    await next();
  };
}

// Only same-origin relative paths under /account may be returned to after login (no open redirect).
export function safeReturnPath(value: unknown): string {
  return typeof value === 'string' && /^\/account(\/[\w\-/]*)?$/.test(value) ? value : '/account/consents';
}
