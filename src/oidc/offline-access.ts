// Keeps offline_access in an authorization request that asked for it without prompt=consent.
// OIDC Core §11: "When offline access is requested, a prompt parameter value of consent MUST be used
// unless other conditions for processing the request permitting offline access to the requested
// resources are in place." oidc-provider removes offline_access from every request without
// prompt=consent before any hook can see it, so the consent page could not say the app keeps access,
// and no refresh token could follow. Our other conditions: only an app that admins vetted for offline
// access (the refresh_token grant) keeps it, and its refresh tokens come only from a recorded consent
// that covers offline access — oidc-provider's own consent check shows the page, which says so, as
// long as the Grant has not recorded it (consents/grant-builder.ts), and issueRefreshToken checks the Grant
// again when the code is redeemed (provider-config.ts). A request that may not show a page
// (prompt=none) is left as oidc-provider made it.
//
// Registered as the validator of the `scope` parameter (oidc-provider's extraParams: validators run
// at the end of the request's validation, at the authorization and pushed authorization endpoints,
// and may change parameters). A pushed request was stored with offline_access kept by this same
// validator; its authorization request takes it from there.
import { decodeJwt } from 'jose';
import type { Client, KoaContextWithOIDC } from 'oidc-provider';

const OFFLINE = 'offline_access';

function asSent(ctx: KoaContextWithOIDC): string {
  const pushed = ctx.oidc.entities.PushedAuthorizationRequest?.request;
  if (pushed) {
    try {
      const { scope } = decodeJwt(pushed);
      return typeof scope === 'string' ? scope : '';
    } catch {
      return '';
    }
  }
  const source = ctx.method === 'POST' ? ctx.oidc.body : ctx.query;
  return typeof source?.scope === 'string' ? source.scope : '';
}

export async function keepOfflineAccess(ctx: KoaContextWithOIDC, value: string | undefined, client: Client) {
  const scopes = (value ?? '').split(' ').filter(Boolean);
  if (scopes.includes(OFFLINE) || !client.grantTypeAllowed('refresh_token')) return;
  if (ctx.oidc.prompts.has('none')) return;
  if (!asSent(ctx).split(' ').includes(OFFLINE)) return;
  (ctx.oidc.params as { scope?: string }).scope = [...scopes, OFFLINE].join(' ');
}
