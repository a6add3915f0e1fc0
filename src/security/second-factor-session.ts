// Who is signed in with a password and a second factor (admins at /admin, advisors at /conseiller):
// their keys only (`<word>Id`, `<word>AuthAt`…) in the server-side session shared with the
// jobseeker's space. Password first; then the TOTP code, or the enrolment of a first authenticator
// (with an enrolment code); only then signed in, under a new session id. Wrong codes are counted
// per account in the database (totp-second-factor.ts), not here: a new session or a correct
// password gives no new tries. Idle (15 min) and absolute (8 h) timeouts are enforced on the
// server, and a disabled account loses its pages at the next request.
import type Koa from 'koa';

export const IDLE_MS = 15 * 60_000;
export const ABSOLUTE_MS = 8 * 3_600_000;
// Between the password and the code: short.
const PENDING_MS = 10 * 60_000;

/** What the session needs of an account service: find an account, and whether TOTP is required. */
export interface SecondFactorAccounts<A> {
  totpRequired: boolean;
  find(id: string): Promise<A | undefined>;
}
interface SecondFactorAccount {
  disabled_at: Date | null;
  totp_enabled_at: Date | null;
}

export function secondFactorSession(realm: { word: 'admin' | 'advisor'; loginPath: string }) {
  const { word, loginPath } = realm;
  const key = {
    id: `${word}Id`,
    authAt: `${word}AuthAt`,
    seenAt: `${word}SeenAt`,
    pendingId: `${word}PendingId`,
    pendingAt: `${word}PendingAt`,
    /** this session used the enrolment code: it may see the new secret and confirm it */
    enrolling: `${word}Enrolling`,
  };
  type Session = Record<string, string | number | boolean | undefined>;
  const sessionOf = (ctx: Koa.Context) => ctx.session as unknown as Session | null;

  function clear(ctx: Koa.Context): void {
    const session = sessionOf(ctx);
    if (session) for (const k of Object.values(key)) delete session[k];
  }

  function liveId(ctx: Koa.Context, now: number): string | undefined {
    const session = sessionOf(ctx);
    const id = session?.[key.id] as string | undefined;
    if (!session || !id) return undefined;
    const authAt = (session[key.authAt] as number | undefined) ?? 0;
    const seenAt = (session[key.seenAt] as number | undefined) ?? 0;
    return now - authAt < ABSOLUTE_MS && now - seenAt < IDLE_MS ? id : undefined;
  }

  return {
    /** Leaves these pages only: a jobseeker's space open in the same browser is not touched. */
    clear,

    /** The password was right: remember who is half-way in, and nothing else (no secret). */
    startSecondFactor(ctx: Koa.Context, accountId: string): void {
      clear(ctx);
      const session = sessionOf(ctx) as Session;
      session[key.pendingId] = accountId;
      session[key.pendingAt] = Date.now();
    },

    /** The account between the password and the code, if that step is recent enough. */
    pendingId(ctx: Koa.Context): string | undefined {
      const session = sessionOf(ctx);
      const id = session?.[key.pendingId] as string | undefined;
      if (!session || !id) return undefined;
      if (Date.now() - ((session[key.pendingAt] as number | undefined) ?? 0) > PENDING_MS) {
        clear(ctx);
        return undefined;
      }
      return id;
    },

    /** The enrolment code was right: this session may now see the new secret and confirm it. */
    enrolmentStarted(ctx: Koa.Context): void {
      (sessionOf(ctx) as Session)[key.enrolling] = true;
    },

    isEnrolling: (ctx: Koa.Context) => Boolean(sessionOf(ctx)?.[key.enrolling]),

    async completeSignIn(ctx: Koa.Context, accountId: string): Promise<void> {
      clear(ctx);
      // A fresh id once fully signed in: a session id fixed or seen before is worth nothing after it.
      await (ctx.session as unknown as { regenerate(): Promise<void> }).regenerate();
      const session = sessionOf(ctx) as Session;
      session[key.id] = accountId;
      session[key.authAt] = Date.now();
      session[key.seenAt] = Date.now();
    },

    isSignedIn: (ctx: Koa.Context) => Boolean(liveId(ctx, Date.now())),

    /** Signed in, live, enabled and (when required) enrolled, or redirected to the login page. */
    require<A extends SecondFactorAccount>(
      accounts: SecondFactorAccounts<A>,
      signedIn: (ctx: Koa.Context, account: A) => void,
    ): Koa.Middleware {
      return async (ctx, next) => {
        const now = Date.now();
        const had = Boolean(sessionOf(ctx)?.[key.id]);
        const id = liveId(ctx, now);
        const account = id ? await accounts.find(id) : undefined;
        const valid = account && !account.disabled_at && (!accounts.totpRequired || account.totp_enabled_at);
        if (!valid) {
          if (had) clear(ctx);
          if (ctx.method !== 'GET' && ctx.method !== 'HEAD') ctx.status = 303;
          ctx.redirect(had ? `${loginPath}?expire=1` : loginPath);
          return;
        }
        (sessionOf(ctx) as Session)[key.seenAt] = now;
        signedIn(ctx, account);
        await next();
      };
    },
  };
}

export type SecondFactorSession = ReturnType<typeof secondFactorSession>;
