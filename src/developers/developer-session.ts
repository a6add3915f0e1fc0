// Who is using the developer portal: a developer account in the server-side session shared with the
// jobseeker's space and the admin console (our own keys only, `developer*`), timed as the
// jobseeker's is (../http/session-sign-in.ts: idle 30 min, absolute the session's lifetime); a
// disabled account loses the portal at its next request.
import type Koa from 'koa';
import { sessionSignIn } from '../http/session-sign-in.ts';
import type { DeveloperAccountRow } from './developer-account-queries.ts';
import type { DeveloperAccounts } from './developer-accounts.ts';

declare module 'koa' {
  interface DefaultState {
    developer?: DeveloperAccountRow;
  }
}

const developerSignIn = sessionSignIn({
  id: 'developerId',
  authAt: 'developerAuthAt',
  seenAt: 'developerSeenAt',
});

export const signInDeveloper = developerSignIn.signIn;
export const signOutDeveloper = developerSignIn.signOut;

/** The signed-in developer, if the sign-in still holds; seen now. */
export async function currentDeveloper(
  ctx: Koa.Context,
  accounts: DeveloperAccounts,
  absoluteMs: number,
): Promise<DeveloperAccountRow | undefined> {
  const current = await developerSignIn.current(ctx, absoluteMs, async (id) => {
    const account = await accounts.find(id);
    return account && !account.disabled_at && account.verified_at ? account : undefined;
  });
  return current?.account;
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
