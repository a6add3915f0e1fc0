// Who is using /conseiller: an advisor in the server-side session (our own keys only, `advisor*`),
// as the admin console does (../admin/console-session.ts): password, then the TOTP code or the
// enrolment of a first authenticator; only then signed in, under a new session id. Idle (15 min) and
// absolute (8 h) timeouts on the server; a disabled advisor loses the workspace at the next request.
import type Koa from 'koa';
import type { AdvisorAccounts } from './advisor-accounts.ts';
import type { AdvisorRow } from './advisor-queries.ts';

const IDLE_MS = 15 * 60_000;
const ABSOLUTE_MS = 8 * 3_600_000;
const PENDING_MS = 10 * 60_000;

interface AdvisorSession {
  advisorId?: string;
  advisorAuthAt?: number;
  advisorSeenAt?: number;
  advisorPendingId?: string;
  advisorPendingAt?: number;
  advisorEnrolling?: boolean;
}

const KEYS = [
  'advisorId',
  'advisorAuthAt',
  'advisorSeenAt',
  'advisorPendingId',
  'advisorPendingAt',
  'advisorEnrolling',
] as const;
const sessionOf = (ctx: Koa.Context) => ctx.session as unknown as AdvisorSession | null;

export function clearAdvisor(ctx: Koa.Context): void {
  const session = sessionOf(ctx);
  if (session) for (const key of KEYS) delete session[key];
}

export function startAdvisorSecondFactor(ctx: Koa.Context, advisorId: string): void {
  clearAdvisor(ctx);
  const session = sessionOf(ctx) as AdvisorSession;
  session.advisorPendingId = advisorId;
  session.advisorPendingAt = Date.now();
}

export function pendingAdvisorId(ctx: Koa.Context): string | undefined {
  const session = sessionOf(ctx);
  if (!session?.advisorPendingId) return undefined;
  if (Date.now() - (session.advisorPendingAt ?? 0) > PENDING_MS) {
    clearAdvisor(ctx);
    return undefined;
  }
  return session.advisorPendingId;
}

export const advisorEnrolmentStarted = (ctx: Koa.Context) => {
  (sessionOf(ctx) as AdvisorSession).advisorEnrolling = true;
};
export const isAdvisorEnrolling = (ctx: Koa.Context) => Boolean(sessionOf(ctx)?.advisorEnrolling);

export async function completeAdvisorSignIn(ctx: Koa.Context, advisorId: string): Promise<void> {
  clearAdvisor(ctx);
  await (ctx.session as unknown as { regenerate(): Promise<void> }).regenerate();
  const session = sessionOf(ctx) as AdvisorSession;
  session.advisorId = advisorId;
  session.advisorAuthAt = Date.now();
  session.advisorSeenAt = Date.now();
}

function liveAdvisorId(ctx: Koa.Context, now: number): string | undefined {
  const session = sessionOf(ctx);
  if (!session?.advisorId) return undefined;
  const live =
    now - (session.advisorAuthAt ?? 0) < ABSOLUTE_MS && now - (session.advisorSeenAt ?? 0) < IDLE_MS;
  return live ? session.advisorId : undefined;
}

export const isAdvisorSignedIn = (ctx: Koa.Context) => Boolean(liveAdvisorId(ctx, Date.now()));

export function requireAdvisor(advisors: AdvisorAccounts): Koa.Middleware {
  return async (ctx, next) => {
    const now = Date.now();
    const had = Boolean(sessionOf(ctx)?.advisorId);
    const id = liveAdvisorId(ctx, now);
    const advisor = id ? await advisors.find(id) : undefined;
    const valid = advisor && !advisor.disabled_at && (!advisors.totpRequired || advisor.totp_enabled_at);
    if (!valid) {
      if (had) clearAdvisor(ctx);
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') ctx.status = 303;
      ctx.redirect(had ? '/conseiller/login?expire=1' : '/conseiller/login');
      return;
    }
    (sessionOf(ctx) as AdvisorSession).advisorSeenAt = now;
    ctx.state.advisor = advisor as AdvisorRow;
    await next();
  };
}
