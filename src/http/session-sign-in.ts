// A password sign-in kept in our server-side session under one realm's own keys (the jobseeker's
// /account, the developer portal): the session id changes at sign-in; idle (30 min) and absolute
// timeouts are enforced on the server, and a sign-in that no longer holds is ended. The session may
// also hold other realms' sign-ins (same browser): signing out removes this realm's keys only.
// The last-seen time moves at most once a minute: koa-session writes a session back only when it
// changed, so most page views cost no write, and the idle timeout holds to that minute (never later).
import type Koa from 'koa';

const IDLE_MS = 30 * 60_000;
const SEEN_EVERY_MS = 60_000;

/** The session keys of one realm: who, when signed in, when last seen. */
export interface SignInKeys {
  id: string;
  authAt: string;
  seenAt: string;
}

export function sessionSignIn(keys: SignInKeys) {
  type Session = Record<string, string | number | undefined>;
  const sessionOf = (ctx: Koa.Context) => ctx.session as unknown as Session | null;

  function signOut(ctx: Koa.Context): void {
    const session = sessionOf(ctx);
    if (!session) return;
    delete session[keys.id];
    delete session[keys.authAt];
    delete session[keys.seenAt];
  }

  return {
    async signIn(ctx: Koa.Context, id: string): Promise<void> {
      // A fresh id at sign-in: a session fixed before it is worth nothing after it. A new session
      // already gets one (koa-session never adopts an id it has no row for).
      const current = ctx.session as unknown as { isNew?: boolean; regenerate(): Promise<void> };
      if (!current.isNew) await current.regenerate();
      const session = sessionOf(ctx) as Session;
      session[keys.id] = id;
      session[keys.authAt] = Date.now();
      session[keys.seenAt] = Date.now();
    },

    signOut,

    /**
     * The account signed in, if the sign-in is within its idle and absolute timeouts and `load`
     * finds the account usable; seen now. A sign-in that no longer holds is ended.
     */
    async current<A>(
      ctx: Koa.Context,
      absoluteMs: number,
      load: (id: string) => Promise<A | undefined>,
    ): Promise<{ account: A; authenticatedAt: number } | undefined> {
      const session = sessionOf(ctx);
      const now = Date.now();
      const id = session?.[keys.id] as string | undefined;
      const live =
        id &&
        now - ((session?.[keys.authAt] as number | undefined) ?? 0) < absoluteMs &&
        now - ((session?.[keys.seenAt] as number | undefined) ?? 0) < IDLE_MS;
      const account = live ? await load(id) : undefined;
      if (!account) {
        if (id) signOut(ctx);
        return undefined;
      }
      const seen = session as Session;
      if (now - ((seen[keys.seenAt] as number | undefined) ?? 0) >= SEEN_EVERY_MS) seen[keys.seenAt] = now;
      return { account, authenticatedAt: seen[keys.authAt] as number };
    },
  };
}
