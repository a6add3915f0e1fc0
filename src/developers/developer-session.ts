// Who is using the developer portal: a developer account in the server-side session shared with the
// jobseeker's space and the admin console (our own keys only, `developer*`). The session id changes
// at sign-in; idle (30 min) and absolute (the session's lifetime) timeouts are enforced on the
// server, and a disabled account loses the portal at its next request.
import type Koa from 'koa';
import type { DeveloperAccountRow } from './developer-account-queries.ts';
import type { DeveloperAccounts } from './developer-accounts.ts';

const IDLE_MS = 30 * 60_000;
const SEEN_EVERY_MS = 60_000;

interface DeveloperSession {
  developerId?: string;
  developerAuthAt?: number;
  developerSeenAt?: number;
}

declare module 'koa' {
  interface DefaultState {
    developer?: DeveloperAccountRow;
  }
}

const sessionOf = (ctx: Koa.Context) => ctx.session as unknown as DeveloperSession | null;

export async function signInDeveloper(ctx: Koa.Context, developerId: string): Promise<void> {
  const current = ctx.session as unknown as { isNew?: boolean; regenerate(): Promise<void> };
  if (!current.isNew) await current.regenerate();
  const session = sessionOf(ctx) as DeveloperSession;
  session.developerId = developerId;
  session.developerAuthAt = Date.now();
  session.developerSeenAt = Date.now();
}

export function signOutDeveloper(ctx: Koa.Context): void {
  const session = sessionOf(ctx);
  if (!session) return;
  delete session.developerId;
  delete session.developerAuthAt;
  delete session.developerSeenAt;
}

/** The signed-in developer, if the sign-in still holds; seen now. */
export async function currentDeveloper(
  ctx: Koa.Context,
  accounts: DeveloperAccounts,
  absoluteMs: number,
): Promise<DeveloperAccountRow | undefined> {
  const session = sessionOf(ctx);
  const now = Date.now();
  const live =
    session?.developerId &&
    now - (session.developerAuthAt ?? 0) < absoluteMs &&
    now - (session.developerSeenAt ?? 0) < IDLE_MS;
  const account = live ? await accounts.find(session.developerId as string) : undefined;
  if (!account || account.disabled_at || !account.verified_at) {
    if (session?.developerId) signOutDeveloper(ctx);
    return undefined;
  }
  const seen = session as DeveloperSession;
  if (now - (seen.developerSeenAt ?? 0) >= SEEN_EVERY_MS) seen.developerSeenAt = now;
  return account;
}

export function requireDeveloper(accounts: DeveloperAccounts, absoluteMs: number): Koa.Middleware {
  return async (ctx, next) => {
    const account = await currentDeveloper(ctx, accounts, absoluteMs);
    if (!account) {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') ctx.status = 303;
      ctx.redirect('/developpeurs/connexion');
      return;
    }
    ctx.state.developer = account;
    await next();
  };
}
