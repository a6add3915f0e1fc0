import { registeredAuthMethod, usesSecret } from '../clients/client-auth-methods.ts';
import type { ClientRow } from '../clients/client-queries.ts';
import { CLIENT_SECRET_PURPOSE } from '../clients/client-service.ts';
import { isNativeRedirectUri } from '../clients/redirect-uri-rules.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { HIGH_ASSURANCE_ID_TOKEN_ALG, HIGH_ASSURANCE_METADATA } from './high-assurance.ts';

// The metadata oidc-provider sees, from a client row. Only active apps exist for it: a pending or
// suspended app cannot start a flow, redeem a code, refresh or introspect. oidc-provider accepts only its own (OIDC)
// scopes in `scope`; the data scopes an app may request travel in `data_scopes` and are enforced in
// the resource indicator hook. A high-assurance app gets the FAPI 2.0 metadata: PAR required,
// DPoP-bound tokens, ID tokens signed with an allowed algorithm (the rest is in provider-config.ts).
export function providerClientMetadata(
  row: ClientRow,
  box: SecretBox,
  dataScopeIds: ReadonlySet<string>,
  /** data scopes only high-assurance apps may use (see sensitiveScopes in ../clients/client-rules.ts) */
  highAssuranceScopeIds: ReadonlySet<string> = new Set(),
): Record<string, unknown> | undefined {
  // Pending and suspended apps do not exist for oidc-provider: it answers invalid_client to them.
  if (row.status !== 'active' || row.deleted_at) return undefined;
  const keyAuth = row.token_endpoint_auth_method === 'private_key_jwt';
  const publicClient = row.token_endpoint_auth_method === 'none';
  // The registration rules make a high-assurance app authenticate by key; a row that does not (from
  // before the rule) cannot run as one, and must not run as a standard app either.
  if (row.high_assurance && !keyAuth) return undefined;
  const dataScopes = row.scopes.filter(
    (s) => dataScopeIds.has(s) && (row.high_assurance || !highAssuranceScopeIds.has(s)),
  );
  return {
    client_id: row.id,
    client_secret:
      usesSecret(row.token_endpoint_auth_method) && row.secret_ciphertext
        ? box.open(row.secret_ciphertext, CLIENT_SECRET_PURPOSE)
        : undefined,
    // OIDC Registration §2: a native app's redirect URIs are loopback or private-use ones (RFC 8252
    // §7), and oidc-provider then accepts any loopback port at request time (§7.3).
    application_type: publicClient && row.redirect_uris.some(isNativeRedirectUri) ? 'native' : 'web',
    client_name: row.name,
    redirect_uris: row.redirect_uris,
    post_logout_redirect_uris: row.post_logout_redirect_uris,
    // OpenID Connect Back-Channel Logout 1.0: a Logout Token by `sub` (we send none with a sid on a
    // withdrawal, src/ssf/backchannel-logout.ts), so a session id is not required.
    ...(row.backchannel_logout_uri
      ? { backchannel_logout_uri: row.backchannel_logout_uri, backchannel_logout_session_required: false }
      : {}),
    response_types: ['code'],
    grant_types: row.scopes.includes('offline_access')
      ? ['authorization_code', 'refresh_token']
      : ['authorization_code'],
    scope: row.scopes.filter((s) => !dataScopeIds.has(s)).join(' '),
    data_scopes: dataScopes,
    token_endpoint_auth_method: registeredAuthMethod(row.token_endpoint_auth_method),
    ...(keyAuth && row.jwks_uri ? { jwks_uri: row.jwks_uri } : {}),
    ...(keyAuth && row.jwks ? { jwks: row.jwks } : {}),
    ...(row.high_assurance
      ? {
          [HIGH_ASSURANCE_METADATA]: true,
          require_pushed_authorization_requests: true,
          dpop_bound_access_tokens: true,
          id_token_signed_response_alg: HIGH_ASSURANCE_ID_TOKEN_ALG,
        }
      : {}),
    ...(row.logo_uri?.startsWith('https://') ? { logo_uri: row.logo_uri } : {}),
    ...(row.policy_uri?.startsWith('https://') ? { policy_uri: row.policy_uri } : {}),
    ...(row.tos_uri?.startsWith('https://') ? { tos_uri: row.tos_uri } : {}),
  };
}
