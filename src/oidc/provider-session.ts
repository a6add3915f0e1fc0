// The browser's oidc-provider session as our own pages see it, through the library's public models
// and cookie name. Ending it (the /account logout, or a login at /account as another person) is what
// the end-session page does when the jobseeker confirms: the session row goes, and with it every
// token bound to it (oidc-provider's expiresWithSession, checked by the resource API too); tokens of
// apps granted offline access outlive it, as they do on the end-session page.
import type Koa from 'koa';
import type Provider from 'oidc-provider';

export async function endProviderSession(
  provider: Provider,
  ctx: Koa.Context,
  options: { secure: boolean; keepFor?: string },
): Promise<void> {
  const name = provider.cookieName('session');
  const id = ctx.cookies.get(name, { signed: true });
  if (!id) return;
  const session = await provider.Session.find(id);
  if (session?.accountId && session.accountId === options.keepFor) return;
  await session?.destroy();
  // As oidc-provider clears it at logout (its `cookies.long` options, see provider-config.ts).
  ctx.cookies.set(name, null, { httpOnly: true, sameSite: 'lax', secure: options.secure, signed: true });
}
