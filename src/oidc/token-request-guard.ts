// Checks on a request to an endpoint where the app authenticates (token, revocation, introspection,
// PAR), made when oidc-provider looks up the app it authenticates as: the first hook that runs once the
// request's parameters are parsed, and before any code or refresh token is read or used.
//   - The app must be active; a pending, suspended or removed app is told so (invalid_client).
//   - The app authenticates with a method it may use (client-auth-methods.ts), and a refusal names
//     them: oidc-provider itself would only say "client authentication failed".
//   - At the token endpoint, `resource` is checked and normalised (one-token.ts), so that a typo
//     does not use the code up (RFC 8707 §2.2 lets the server refuse with invalid_target).
import type { KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { type AuthMethod, allowedAuthMethods } from '../clients/client-auth-methods.ts';
import type { ClientRow } from '../clients/client-queries.ts';
import { normaliseTokenResource } from './one-token.ts';

export const AUTHENTICATED_ENDPOINTS = new Set([
  '/token',
  '/token/introspection',
  '/token/revocation',
  '/request',
]);

/** The method a request authenticates with, as oidc-provider tells them apart (lib/shared/client_auth.js). */
function presentedMethod(ctx: KoaContextWithOIDC): AuthMethod | 'client_secret_jwt' | undefined {
  const params = (ctx.oidc.params ?? {}) as Record<string, unknown>;
  if (params.client_secret) return 'client_secret_post';
  if (ctx.headers.authorization !== undefined) return 'client_secret_basic';
  if (params.client_assertion !== undefined) return 'private_key_jwt';
  if (ctx.headers['oauth-client-attestation'] !== undefined) return undefined;
  return 'none';
}

function invalidClient(description: string): Error {
  const err = new errors.InvalidClientAuth();
  return Object.assign(err, { error_description: description });
}

const STATUS_TEXT: Record<string, string> = {
  pending: 'the application is pending approval: it cannot obtain tokens yet',
  suspended: 'the application is suspended: it cannot obtain tokens',
};

export function guardAuthenticatedRequest(
  ctx: KoaContextWithOIDC | undefined,
  id: string,
  row: ClientRow | undefined,
  audience: string,
): void {
  if (!ctx?.oidc || ctx.method !== 'POST' || !AUTHENTICATED_ENDPOINTS.has(ctx.path)) return;
  // Only the lookup that client authentication makes: the first one of the request, for the id the
  // request names (introspection and revocation look up other apps' tokens' apps afterwards).
  if (ctx.oidc.entities.Client || !row || row.id !== id) return;
  if (row.deleted_at) throw invalidClient('the application no longer exists');
  const statusText = STATUS_TEXT[row.status];
  if (statusText) throw invalidClient(statusText);

  const allowed = allowedAuthMethods(row.token_endpoint_auth_method);
  const presented = presentedMethod(ctx);
  if (presented && !(allowed as string[]).includes(presented)) {
    throw invalidClient(
      `this application authenticates with ${allowed.join(' or ')}, not ${presented === 'none' ? 'without credentials' : presented}`,
    );
  }
  if (ctx.path === '/token' && ctx.oidc.params) {
    normaliseTokenResource(ctx.oidc.params as Record<string, unknown>, audience);
  }
}
