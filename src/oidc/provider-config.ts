// oidc-provider configuration as a pure function of its dependencies. Every non-default choice says
// why. References: RFC 9700 (OAuth 2.0 Security BCP), RFC 8707 (resource indicators), RFC 9207 (iss).
import type { JWK } from 'jose';
import {
  type AsymmetricSigningAlgorithm,
  type Configuration,
  errors,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { Catalog } from '../catalog/load-catalog.ts';
import { webOriginsOf } from '../clients/web-origins.ts';
import type { Config } from '../config.ts';
import { keepLegacyScope, LEGACY_SCOPE_PARAM } from '../legacy/legacy-authorization.ts';
import { LEGACY_ID_CLAIMS, pairwiseSubject } from '../legacy/legacy-id-claims.ts';
import { pkceRequired } from '../legacy/legacy-request.ts';
import { createGuardedFetch } from '../security/guarded-fetch.ts';
import {
  HIGH_ASSURANCE_ALGS,
  HIGH_ASSURANCE_METADATA,
  isHighAssurance,
  isHighAssuranceAlg,
} from './high-assurance.ts';
import { keepOfflineAccess } from './offline-access.ts';
import { apiScopeClaims, invalidTarget } from './one-token.ts';

type ProviderDeps = {
  config: Config;
  catalog: Catalog;
  jwks: JWK[];
  adapter: Configuration['adapter'];
  findAccount: Configuration['findAccount'];
  policy: NonNullable<Configuration['interactions']>['policy'];
  loadExistingGrant: NonNullable<Configuration['loadExistingGrant']>;
  registration: {
    validate(metadata: Record<string, unknown>): Promise<void>;
    consumeInitialAccessToken(jti: string): Promise<boolean>;
  };
  pages: Pick<Configuration, 'renderError'> & {
    logoutSource: (ctx: import('koa').Context, form: string) => Promise<void>;
    postLogoutSuccessSource: (ctx: import('koa').Context) => Promise<void>;
  };
};

const ROUTES_CHECKING_SCOPE = new Set(['authorization', 'pushed_authorization_request']);

export function providerConfiguration(deps: ProviderDeps): Configuration {
  const { config, catalog, jwks, adapter, findAccount, policy, loadExistingGrant, pages } = deps;
  const dataScopeIds = new Set(catalog.dataScopes.map((s) => s.id));
  const oidcScopeIds = catalog.oidcScopes.map((s) => s.id);

  return {
    adapter,
    findAccount,
    // Every URL oidc-provider fetches (a client's jwks_uri): in production, public addresses only,
    // checked when connecting (../security/guarded-fetch.ts).
    fetch: createGuardedFetch({ production: config.production }) as Configuration['fetch'],
    jwks: { keys: jwks as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      keys: [...config.secrets.cookieSecrets],
      // The interaction cookies are only needed on our own pages, which are same-site.
      long: { httpOnly: true, sameSite: 'lax', secure: config.production },
      short: { httpOnly: true, sameSite: 'lax', secure: config.production },
    },
    // With the Pôle emploi Connect profile, openid also carries idIdentiteExterne and realm for the
    // apps registered under their PAR_ identifier (legacy-id-claims.ts).
    claims: config.peconnectCompat
      ? { ...catalog.claimsByScope, openid: [...(catalog.claimsByScope.openid ?? []), ...LEGACY_ID_CLAIMS] }
      : catalog.claimsByScope,
    // Data scopes are resource-server scopes (see getResourceServerInfo); only OIDC scopes are statics.
    scopes: ['offline_access', ...oidcScopeIds],
    // Claims go into the ID token too, so an app whose access token is for the resource API still
    // receives the identity fields it was granted.
    conformIdTokenClaims: false,
    // Our own metadata, accepted in RFC 7591 registration too; the clients service validates it fully.
    extraClientMetadata: {
      properties: [
        'data_scopes',
        'purposes',
        'description',
        'operator_name',
        'operator_siret',
        'free_for_jobseekers',
        HIGH_ASSURANCE_METADATA,
      ],
      validator(_ctx, key, value) {
        if (value === undefined) return;
        const ok =
          key === 'data_scopes'
            ? Array.isArray(value) && value.every((s) => dataScopeIds.has(s))
            : key === 'purposes'
              ? typeof value === 'object' &&
                value !== null &&
                Object.values(value).every((v) => typeof v === 'string')
              : key === 'free_for_jobseekers' || key === HIGH_ASSURANCE_METADATA
                ? typeof value === 'boolean'
                : typeof value === 'string' && value.length <= 1000;
        if (!ok) throw new errors.InvalidClientMetadata(`${key} is invalid`);
      },
    },
    responseTypes: ['code'],
    subjectTypes: ['pairwise'],
    // The methods a registration may choose (client-auth-methods.ts), so discovery advertises no
    // other. With both secret methods enabled, oidc-provider accepts either for a secret-based app
    // (lib/shared/client_auth.js); `none` is for public clients (browser and native apps, PKCE).
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    enabledJWA: {
      // Only the algorithms we hold signing keys for (signing-keys.ts), so discovery promises nothing
      // more: RS256 for standard apps, PS256 and ES256 for high-assurance ones.
      idTokenSigningAlgValues: [...new Set(jwks.map((key) => key.alg as AsymmetricSigningAlgorithm))],
      // DPoP proofs, at the token endpoint and at the resource API (src/api/dpop.ts): FAPI 2.0's.
      dPoPSigningAlgValues: [...HIGH_ASSURANCE_ALGS],
    },
    // oidc-provider checks the client assertion's signature, expiry, issuer and uniqueness; this
    // adds FAPI 2.0's limits for high-assurance apps, also when their keys come from a jwks_uri: an
    // allowed algorithm, and the issuer identifier as the only audience (what oidc-provider's own
    // default of this hook checks under FAPI 2.0, which this replaces).
    async assertJwtClientAuthClaimsAndHeader(ctx, claims, header, client) {
      if (!isHighAssurance(client)) return;
      if (!isHighAssuranceAlg(header.alg)) {
        throw new errors.InvalidClientAuth(
          `client assertions must be signed with ${HIGH_ASSURANCE_ALGS.join(', ')}`,
        );
      }
      if (claims.aud !== ctx.oidc.issuer) {
        throw new errors.InvalidClientAuth('audience (aud) must equal the issuer identifier url');
      }
    },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
      subject_type: 'pairwise',
    },
    // Pairwise per client rather than per sector host: two apps of one operator cannot link a
    // jobseeker either.
    async pairwiseIdentifier(_ctx, accountId, client) {
      return pairwiseSubject(config.secrets.pairwiseSalt, client.clientId, accountId);
    },
    // RFC 9700 §2.1.1: PKCE for every client; oidc-provider only implements S256. A Pôle emploi
    // Connect request by a confidential app may use its nonce instead (legacy-request.ts).
    pkce: { required: (ctx, client) => pkceRequired(ctx, client, isHighAssurance(client)) },
    // OIDC Core §3.1.2.1: redirect_uri is REQUIRED in an authorization request; oidc-provider would
    // otherwise fill in the only URI a client registered (conformance test
    // oidcc-ensure-redirect-uri-in-authorization-request expects an error page).
    allowOmittingSingleRegisteredRedirectUri: false,
    // Browser apps are public clients: they may call the token, userinfo, revocation and PAR endpoints
    // from the exact web origins of their redirect URIs, without credentials (oidc-provider never
    // sends Access-Control-Allow-Credentials). Confidential apps call from their servers: no CORS.
    // The authorization endpoint is a navigation, never a CORS request.
    clientBasedCORS(_ctx, origin, client) {
      return client.clientAuthMethod === 'none' && webOriginsOf(client.redirectUris ?? []).has(origin);
    },
    // OIDC Front-Channel and Back-Channel Logout (and discovery's claims_supported) promise `sid` in
    // ID tokens; oidc-provider writes it only for back-channel logout clients or when the claims
    // parameter asks for it. This hook sees every new authorization code before it is saved: the
    // code gets the session's sid for this app, which the ID tokens issued from it (and from its
    // refresh tokens) carry. The answer is oidc-provider's default: offline access outlives the session.
    async expiresWithSession(ctx, code) {
      const session = ctx.oidc.session;
      const clientId = ctx.oidc.client?.clientId;
      if (session && clientId && code.kind === 'AuthorizationCode') {
        (code as { sid?: string }).sid = session.sidFor(clientId);
      }
      return !code.scopes.has('offline_access');
    },
    // The data scopes an access token covers at the API (one-token.ts), stored with it.
    async extraTokenClaims(ctx, token) {
      return apiScopeClaims(ctx, token, { audience: config.apiAudience, dataScopeIds: dataScopeIds });
    },
    // Every refresh rotates the refresh token (RFC 9700 §4.14.2). A refresh bound to fail for its
    // `resource` is refused before the refresh token is even read (token-request-guard.ts), so it
    // cannot use the token up.
    rotateRefreshToken: true,
    interactions: {
      policy,
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    // The Grant of the jobseeker's live consent, in any browser, repaired from the record when it has
    // drifted (consents/consent-grant.ts): a second sign-in with nothing changed shows no consent page.
    loadExistingGrant,
    // offline_access as the app asked for it, with or without prompt=consent (offline-access.ts).
    // peconnect_scope: a Pôle emploi Connect app's scope string as sent, set by our legacy rewrite
    // only (legacy-authorization.ts).
    extraParams: { scope: keepOfflineAccess, [LEGACY_SCOPE_PARAM]: keepLegacyScope },
    // Refresh tokens come from the recorded consent: the code carries offline_access (the app asked
    // and the Grant held it at authorization) and the Grant, the jobseeker's latest decision, still
    // holds it when the code is redeemed.
    async issueRefreshToken(ctx, client, code) {
      const grant = ctx.oidc.entities.Grant;
      return (
        client.grantTypeAllowed('refresh_token') &&
        code.scopes.has('offline_access') &&
        Boolean(grant?.getOIDCScope().split(' ').includes('offline_access'))
      );
    },
    renderError: pages.renderError,
    features: {
      devInteractions: { enabled: false },
      // High-assurance apps get the FAPI 2.0 Security Profile's behaviours (redirect_uri always
      // required, issuer as client assertion audience, …); their metadata (client-service.ts) adds
      // PAR required, DPoP-bound tokens and the ID token algorithm.
      fapi: {
        enabled: true,
        profile: (_ctx, client) => (isHighAssurance(client) ? '2.0' : undefined),
      },
      // RFC 9126: available to every app, required per app (require_pushed_authorization_requests).
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      // RFC 9449: any app may ask for DPoP-bound tokens; high-assurance apps always get them. A proof
      // is accepted once (the replay cache is the ReplayDetection model, in PostgreSQL).
      dPoP: { enabled: true, allowReplay: false },
      revocation: {
        enabled: true,
        async allowedPolicy(_ctx, client, token) {
          return token.clientId === client.clientId;
        },
      },
      introspection: {
        enabled: true,
        async allowedPolicy(_ctx, client, token) {
          return token.clientId === client.clientId;
        },
      },
      // OpenID Connect Back-Channel Logout 1.0, for apps that register a backchannel_logout_uri: a
      // Logout Token when the session ends (sent through the guarded `fetch` above). On a withdrawal,
      // expiry, deletion or suspension we send one ourselves (src/ssf/backchannel-logout.ts).
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: pages.logoutSource,
        postLogoutSuccessSource: pages.postLogoutSuccessSource,
      },
      userinfo: { enabled: true },
      // RFC 7591 self-service onboarding, gated by an initial access token an admin issues (single
      // use). Registered apps arrive pending; there is no self-service management afterwards.
      registration: {
        enabled: true,
        initialAccessToken: true,
        issueRegistrationAccessToken: false,
        policies: {
          // Our registration rules run first, so a refused request does not use the token up; the
          // token is then consumed by one conditional DELETE, so two parallel registrations cannot
          // both use it.
          'single-use': async (ctx, properties) => {
            await deps.registration.validate(properties as Record<string, unknown>);
            const iat = (ctx.oidc.entities as { InitialAccessToken?: { jti: string } }).InitialAccessToken;
            if (!iat || !(await deps.registration.consumeInitialAccessToken(iat.jti))) {
              throw new errors.InvalidToken('initial access token already used');
            }
          },
        },
      },
      resourceIndicators: {
        enabled: true,
        // Without an explicit `resource`, an authorization request is for our resource API: the
        // grant then records the data scopes consented to, which the access token covers.
        async defaultResource(_ctx, _client, oneOf) {
          return oneOf ?? config.apiAudience;
        },
        // At the token endpoint, no `resource` (and `resource=<ISSUER>/api`, dropped by
        // token-request-guard.ts) gives the token without audience that both userinfo and the API
        // accept (one-token.ts): the granted resource must not be applied by default.
        async useGrantedResource() {
          return false;
        },
        async getResourceServerInfo(ctx: KoaContextWithOIDC, resource, client) {
          if (resource !== config.apiAudience) {
            throw invalidTarget(config.apiAudience, `unknown resource ${resource}`);
          }
          const allowed = new Set([
            ...(client.scope ?? '').split(' '),
            ...((client.metadata().data_scopes as string[] | undefined) ?? []),
          ]);
          if (ROUTES_CHECKING_SCOPE.has(String(ctx.oidc.route))) {
            // oidc-provider checks only its static (OIDC) scopes against the client's registration;
            // data scopes are checked here, and anything unknown is refused too.
            for (const scope of String(ctx.oidc.params?.scope ?? '')
              .split(' ')
              .filter(Boolean)) {
              // Registration only ever allows catalog scopes and offline_access.
              if (!allowed.has(scope)) {
                throw new errors.InvalidScope('requested scope is not allowed', scope);
              }
            }
          }
          return {
            scope: [...dataScopeIds].filter((s) => allowed.has(s)).join(' '),
            audience: config.apiAudience,
            accessTokenFormat: 'opaque',
            accessTokenTTL: config.accessTokenTtlSeconds,
          };
        },
      },
    },
    ttl: {
      AccessToken: config.accessTokenTtlSeconds,
      AuthorizationCode: 60, // seconds, RFC 9700 §4.5
      ClientCredentials: 600, // seconds; the grant is not enabled
      DeviceCode: 600, // seconds; the grant is not enabled
      BackchannelAuthenticationRequest: 600, // seconds; not enabled
      IdToken: 3600, // seconds
      Interaction: 3600, // seconds: time to log in and read the consent page
      Session: config.sessionTtlHours * 3600, // seconds
      // seconds; only a fallback: every Grant is written with its consent's expiry (consents/grant-builder.ts)
      Grant: config.refreshTokenTtlDays * 86_400,
      RefreshToken: config.refreshTokenTtlDays * 86_400, // seconds
    },
  };
}
