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
//   every such app sends it, or Basic); its answer echoes the authorization's `nonce` (the apps
//   compare it) and names, beside the granted catalog scopes, their Pôle emploi Connect names;
// - both discovery paths serve the provider's discovery document (issuer included: it is ours);
// - `/compte/deconnexion?id_token_hint=…&redirect_uri=…` is RP-initiated logout, where oidc-provider
//   accepts `redirect_uri` only if it is a registered post-logout URI of the ID token's app (no open
//   redirect), after the jobseeker confirms;
// - another realm (/employeur, /partenaire) is refused: this server holds jobseekers only.
import type Koa from 'koa';
import type { Catalog } from '../catalog/load-catalog.ts';
import { AppError } from '../http/app-error.ts';
import { markLegacyRequest } from './legacy-request.ts';

const REALM_PATHS = ['/connexion/oauth2', '/connexion/oauth2/realms/root/realms/individu'];
const AUTHORIZE = new Set(REALM_PATHS.map((p) => `${p}/authorize`));
const TOKEN = new Set(REALM_PATHS.map((p) => `${p}/access_token`));
const LEGACY_DISCOVERY = new Set([
  '/connexion/oauth2/realms/root/realms/individu/.well-known/openid-configuration',
  '/connexion/oauth2/individu/.well-known/openid-configuration',
]);
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
  return { legacy: true };
}

/** The granted catalog scopes followed by the Pôle emploi Connect names they are known by. */
export function withLegacyNames(catalog: Catalog, scope: string): string {
  const words = scope.split(' ').filter(Boolean);
  const names = new Set(words);
  for (const word of words) {
    const legacy = catalog.byId.get(word)?.legacy;
    for (const name of [...(legacy?.scopes ?? []), ...(legacy?.technical_scopes ?? [])]) names.add(name);
  }
  return [...names].join(' ');
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
}): Koa.Middleware {
  const { catalog, allowedScopes } = o;
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
      await catalogScopeQuery(catalog, query, allowedScopes);
      markLegacyRequest(ctx.req);
      rewrite(ctx, '/auth', query);
      return next();
    }
    // Apps that follow discovery reach the standard endpoint with their own scope strings.
    if (
      ctx.path === '/auth' &&
      ctx.method === 'GET' &&
      (await catalogScopeQuery(catalog, query, allowedScopes)).legacy
    ) {
      markLegacyRequest(ctx.req);
      ctx.querystring = query.toString();
      return next();
    }

    if (TOKEN.has(ctx.path) && ctx.method === 'POST') {
      if (!realmOk(query)) {
        // As the token endpoint answers every error (RFC 6749 §5.2), whatever the Accept header.
        ctx.status = 400;
        ctx.body = { error: 'invalid_request', error_description: REALM_REFUSED };
        return;
      }
      markLegacyRequest(ctx.req);
      // The realm is the only thing these apps put in the query; the token endpoint reads the body.
      rewrite(ctx, '/token', new URLSearchParams());
      await next();
      const body = ctx.body as Body | undefined;
      if (ctx.status !== 200 || !body || typeof body !== 'object' || typeof body.access_token !== 'string')
        return;
      const { AuthorizationCode: code, RefreshToken: refresh } = (ctx.oidc?.entities ?? {}) as {
        AuthorizationCode?: { nonce?: string };
        RefreshToken?: { nonce?: string };
      };
      const nonce = code?.nonce ?? refresh?.nonce;
      if (nonce) body.nonce = nonce;
      if (typeof body.scope === 'string') body.scope = withLegacyNames(catalog, body.scope);
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
