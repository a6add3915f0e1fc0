// The Pôle emploi Connect (ForgeRock AM, realm /individu) protocol paths, served by our one
// oidc-provider: each legacy request is rewritten onto the provider's own endpoint, so the same
// checks, consent pages, grants and tokens apply. PECONNECT.md §2, §8. Guarantees:
// - `/connexion/oauth2/authorize?realm=/individu&…` (realm raw or encoded, anywhere) is the
//   provider's /auth; its scope, in either vocabulary, becomes the catalog scopes it asks for
//   (legacy-scopes.ts), so the consent page shows the same blocks; a scope neither vocabulary
//   knows is still refused (invalid_scope); an app registered for offline_access asks for it, as
//   these apps expect a refresh token. The standard /auth accepts that vocabulary too, so apps
//   that follow discovery work unchanged;
// - `POST /connexion/oauth2/access_token?realm=%2Findividu` is /token (client_secret_post as
//   every such app sends it, or Basic). The answer to a code or refresh token of an authorization
//   made in the Pôle emploi Connect vocabulary — at that path, or at /token for an app registered
//   under its PAR_ identifier — echoes its `nonce` (the apps compare it) and names the granted
//   scopes in the app's own words (legacy-authorization.ts);
// - both discovery paths serve the provider's discovery document (issuer included: it is ours),
//   naming the realm's legacy authorization and token paths (both documents describe the one realm,
//   as ForgeRock's did) and the legacy logout: an app that follows discovery stays on the paths it
//   was written for;
// - `/compte/deconnexion?id_token_hint=…&redirect_uri=…` is RP-initiated logout, where oidc-provider
//   accepts `redirect_uri` only if it is a registered post-logout URI of the ID token's app (no open
//   redirect), after the jobseeker confirms;
// - another realm (/employeur, /partenaire) is refused: this server holds jobseekers only.
import type Koa from 'koa';
import type { Catalog } from '../catalog/load-catalog.ts';
import { LEGACY_CLIENT_ID } from '../clients/legacy-client-input.ts';
import { AppError } from '../http/app-error.ts';
import {
  LEGACY_SCOPE_PARAM,
  type LegacyAuthorizations,
  legacyScopeEcho,
  rememberAuthorization,
} from './legacy-authorization.ts';
import { markLegacyRequest } from './legacy-request.ts';

const REALM_PATHS = ['/connexion/oauth2', '/connexion/oauth2/realms/root/realms/individu'];
const AUTHORIZE = new Set(REALM_PATHS.map((p) => `${p}/authorize`));
const TOKEN = new Set(REALM_PATHS.map((p) => `${p}/access_token`));
const LEGACY_DISCOVERY = new Set([
  '/connexion/oauth2/realms/root/realms/individu/.well-known/openid-configuration',
  '/connexion/oauth2/individu/.well-known/openid-configuration',
]);
/** The realm's own paths, as ForgeRock's discovery names them for either discovery path. */
const REALM_ENDPOINTS = '/connexion/oauth2/realms/root/realms/individu';
const LEGACY_LOGOUT = '/compte/deconnexion';
const REALM = '/individu';
const OFFLINE_ACCESS = 'offline_access';

type Body = Record<string, unknown>;

/** A realm parameter, when present, must be the jobseekers' one (`/individu`, however encoded). */
const realmOk = (query: URLSearchParams) => {
  const realms = query.getAll('realm');
  return realms.length === 0 || (realms.length === 1 && realms[0] === REALM);
};
const REALM_REFUSED = `this server serves the ${REALM} realm only`;

/**
 * The authorization query with its scope in the catalog's words; `legacy` when it used the other's.
 * Such a request is narrowed to the scopes the app may ask for (RFC 6749 §3.3: the server "MAY fully
 * or partially ignore the scope requested"), as an app written for Pôle emploi Connect asks for its
 * whole subscription (les emplois de l'inclusion still asks for indemnisation, which only a
 * high-assurance app gets here): the token response's scope says what was granted. A request in the
 * catalog's own words keeps its strict answer (invalid_scope), and a string neither vocabulary
 * knows is refused in both.
 */
export async function catalogScopeQuery(
  catalog: Catalog,
  query: URLSearchParams,
  allowedScopes: (clientId: string) => Promise<readonly string[] | undefined>,
): Promise<{ legacy: boolean }> {
  const scope = query.get('scope');
  const clientId = query.get('client_id');
  if (scope === null || clientId === null) return { legacy: false };
  const resolved = catalog.resolveScopes(scope, clientId);
  if (!resolved.legacy) return { legacy: false };
  const allowed = new Set(await allowedScopes(clientId));
  const scopes = resolved.scopes.filter((id) => id === 'openid' || allowed.has(id));
  // Pôle emploi Connect gave every token response a refresh token, and these apps refresh without
  // ever asking for offline_access (PECONNECT.md §2.2): an app registered for it asks for it here.
  // The consent page then says so, as for any request with offline_access (offline-access.ts).
  const permissions = new Set(resolved.permissions);
  if (allowed.has(OFFLINE_ACCESS)) permissions.add(OFFLINE_ACCESS);
  query.set('scope', [...scopes, ...permissions, ...resolved.unknown].join(' '));
  // The app's own words, for its token answers (legacy-authorization.ts).
  query.set(LEGACY_SCOPE_PARAM, scope);
  return { legacy: true };
}

function rewrite(ctx: Koa.Context, path: string, query: URLSearchParams): void {
  ctx.path = path;
  ctx.querystring = query.toString();
}

export function legacyProtocol(o: {
  catalog: Catalog;
  enabled: boolean;
  /** the scopes an app is registered for (none when it does not exist: oidc-provider refuses it) */
  allowedScopes: (clientId: string) => Promise<readonly string[] | undefined>;
  /** the app's own scope strings, per grant (legacy-authorization.ts) */
  authorizations: LegacyAuthorizations;
  /** how long such a record lives when the grant does not say (the grant's default lifetime) */
  recordTtlSeconds: number;
}): Koa.Middleware {
  const { catalog, allowedScopes, authorizations } = o;
  const remember = (ctx: Koa.Context) => rememberAuthorization(ctx, authorizations, o.recordTtlSeconds);
  return async (ctx, next) => {
    if (!o.enabled) return next();
    const query = new URLSearchParams(ctx.querystring);

    if (AUTHORIZE.has(ctx.path) && ctx.method === 'GET') {
      if (!realmOk(query)) {
        throw new AppError(
          400,
          'invalid_request',
          `Cette adresse ne sert que le domaine ${REALM} (demandeurs d’emploi).`,
        );
      }
      query.delete('realm');
      const asSent = query.get('scope');
      await catalogScopeQuery(catalog, query, allowedScopes);
      // Its own words even when they were the catalog's: its token answers name them.
      query.delete(LEGACY_SCOPE_PARAM);
      if (asSent !== null) query.set(LEGACY_SCOPE_PARAM, asSent);
      markLegacyRequest(ctx.req);
      rewrite(ctx, '/auth', query);
      await next();
      return remember(ctx);
    }
    // Apps that follow discovery reach the standard endpoint with their own scope strings.
    if (ctx.path === '/auth' && ctx.method === 'GET') {
      if ((await catalogScopeQuery(catalog, query, allowedScopes)).legacy) {
        markLegacyRequest(ctx.req);
        ctx.querystring = query.toString();
      }
      await next();
      return remember(ctx);
    }
    // The authorization resumed after the consent page: its parameters are those stored above.
    if (ctx.path.startsWith('/auth/') && ctx.method === 'GET') {
      await next();
      return remember(ctx);
    }

    const legacyToken = TOKEN.has(ctx.path) && ctx.method === 'POST';
    if (legacyToken || (ctx.path === '/token' && ctx.method === 'POST')) {
      if (legacyToken) {
        if (!realmOk(query)) {
          // As the token endpoint answers every error (RFC 6749 §5.2), whatever the Accept header.
          ctx.status = 400;
          ctx.body = { error: 'invalid_request', error_description: REALM_REFUSED };
          return;
        }
        markLegacyRequest(ctx.req);
        // The realm is the only thing these apps put in the query; the token endpoint reads the body.
        rewrite(ctx, '/token', new URLSearchParams());
      }
      await next();
      const body = ctx.body as Body | undefined;
      if (ctx.status !== 200 || !body || typeof body !== 'object' || typeof body.access_token !== 'string')
        return;
      const { AuthorizationCode: code, RefreshToken: refresh } = (ctx.oidc?.entities ?? {}) as {
        AuthorizationCode?: { nonce?: string; grantId?: string };
        RefreshToken?: { nonce?: string; grantId?: string };
      };
      const grantId = code?.grantId ?? refresh?.grantId;
      if (!code && !refresh) return;
      // At /token, only the apps that kept their Pôle emploi Connect identifier are looked up: they
      // are the unchanged apps (the only ones let off PKCE, legacy-request.ts), and every other
      // app's token request is spared the read. Discovery names the legacy path anyway.
      const clientId = ctx.oidc?.client?.clientId;
      if (!legacyToken && !(clientId && LEGACY_CLIENT_ID.test(clientId))) return;
      const asked = grantId ? await authorizations.find(grantId) : undefined;
      if (!legacyToken && asked === undefined) return;
      const nonce = code?.nonce ?? refresh?.nonce;
      if (nonce) body.nonce = nonce;
      if (asked !== undefined && typeof body.scope === 'string')
        body.scope = legacyScopeEcho(catalog, asked, body.scope);
      return;
    }

    if (LEGACY_DISCOVERY.has(ctx.path) && ctx.method === 'GET') {
      rewrite(ctx, '/.well-known/openid-configuration', query);
      await next();
      const body = ctx.body as Body | undefined;
      if (ctx.status === 200 && body && Array.isArray(body.scopes_supported)) {
        const legacy = [...catalog.legacy.scopes.keys(), ...catalog.legacy.technicalScopes];
        body.scopes_supported = [...new Set([...body.scopes_supported, ...legacy])];
      }
      // The legacy paths of this realm, on this server (the issuer is its base).
      if (ctx.status === 200 && body && typeof body.token_endpoint === 'string') {
        const base = body.token_endpoint.replace(/\/token$/, '');
        body.authorization_endpoint = `${base}${REALM_ENDPOINTS}/authorize`;
        body.token_endpoint = `${base}${REALM_ENDPOINTS}/access_token`;
        if (typeof body.end_session_endpoint === 'string')
          body.end_session_endpoint = `${base}${LEGACY_LOGOUT}`;
      }
      return;
    }

    if (ctx.path === LEGACY_LOGOUT && ctx.method === 'GET') {
      // OIDC RP-Initiated Logout 1.0 calls it post_logout_redirect_uri; oidc-provider checks it
      // against the registered post-logout URIs of the app the id_token_hint names.
      const target = query.get('redirect_uri');
      query.delete('redirect_uri');
      if (target !== null && !query.has('post_logout_redirect_uri'))
        query.set('post_logout_redirect_uri', target);
      markLegacyRequest(ctx.req);
      rewrite(ctx, '/session/end', query);
      return next();
    }
    return next();
  };
}
