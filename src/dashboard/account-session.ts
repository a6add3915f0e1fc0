// Who is looking at /account: the jobseeker id kept in our server-side session after a password
// login, at /account or during an app's flow (the same credentials and checks). The session id
// changes at login; idle and absolute timeouts are enforced on the server, and a disabled account
// loses its session. One sign-in with oidc-provider's own session: a login in a flow signs in here
// too, a live sign-in here answers a flow's login step (interaction-routes.ts), and each logout ends
// both (signOutWithProvider here, endProviderSession at /account's logout).
// The timing rules are ../http/session-sign-in.ts's (lastSeenAt moves at most once a minute).
import type Koa from 'koa';
import type { Pool } from '../db/pool.ts';
import { sessionSignIn } from '../http/session-sign-in.ts';
import { findJobseekerById } from '../profiles/jobseeker-queries.ts';

declare module 'koa' {
  interface DefaultState {
    jobseekerId?: string;
  }
}

const jobseekerSignIn = sessionSignIn({ id: 'jobseekerId', authAt: 'authenticatedAt', seenAt: 'lastSeenAt' });

export const signIn = jobseekerSignIn.signIn;

// The session may also hold an admin console sign-in (same browser): only the jobseeker's keys go.
export const signOut = jobseekerSignIn.signOut;

/**
 * The jobseeker signed in to /account in this browser, if that sign-in is within its idle and
 * absolute timeouts and the account is not disabled; they are seen now. A sign-in that no longer
 * holds is ended.
 */
export async function currentJobseeker(
  ctx: Koa.Context,
  pool: Pool,
  absoluteMs: number,
): Promise<{ id: string; authenticatedAt: number; sandbox: boolean } | undefined> {
  const current = await jobseekerSignIn.current(ctx, absoluteMs, async (id) => {
    const jobseeker = await findJobseekerById(pool, id);
    return jobseeker && !jobseeker.disabled_at ? jobseeker : undefined;
  });
  // sandbox: the flow's login step applies the sandbox gate with it (interaction-routes.ts).
  return (
    current && {
      id: current.account.id,
      authenticatedAt: current.authenticatedAt,
      sandbox: current.account.sandbox,
    }
  );
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
