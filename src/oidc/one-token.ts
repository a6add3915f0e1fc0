// One access token for userinfo and the resource API.
//
// Relying parties that keep one access token per session (mod_auth_openidc, Auth.js, passport) must
// be able to call both /me and /api/v1/* with it. oidc-provider's userinfo accepts only a token
// without audience (lib/actions/userinfo.js: "token audience prevents accessing the userinfo
// endpoint"), and a token exchanged with a `resource` always gets that resource as audience
// (BaseToken#resourceServer). So the design goes the other way round: every access token is the one
// userinfo accepts, and the API accepts it as its own.
//
// Why this keeps audience restriction sound. RFC 9700 §2.3: "access tokens SHOULD be
// audience-restricted to a specific resource server or, if that is not feasible, to a small set of
// resource servers", and "every resource server is obliged to verify, for every request, whether the
// access token sent with that request was meant to be used for that particular resource server. If it
// was not, the resource server MUST refuse to serve the respective request." RFC 8707 §2: "The
// authorization server SHOULD audience-restrict issued access tokens to the resource(s) indicated by
// the resource parameter", and it "may use the exact resource value as the audience or it may map
// from that value to a more general URI or abstract identifier". Our userinfo endpoint and our API
// are one service, on one origin, run by one operator behind one issuer: the audience every token
// gets is that service (no `aud` in oidc-provider's terms), a set of exactly these two endpoints. A
// token whose audience names any other resource server is refused by the API (bearer-auth.ts) and by
// userinfo (oidc-provider), and `resource` accepts only <ISSUER>/api ("invalid_target: The requested
// resource is invalid, missing, unknown, or malformed", RFC 8707 §2).
//
// How: at the token endpoint, `resource=<ISSUER>/api` names the service every token already serves,
// so it is accepted and then dropped before oidc-provider applies it (the mapping RFC 8707 §2
// allows); any other value is refused there, before a code or refresh token is touched. The data scopes
// the token covers (the grant's scopes for the API, narrowed to what this request asked for) travel
// in its `extra` payload, which the API reads with the token in its one statement, and are added to
// the token response's `scope`.
import type { KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';

/** The claim of an access token's `extra` payload that lists the data scopes it covers at the API. */
export const API_SCOPE_CLAIM = 'api_scope';

type TokenLike = { kind: string; aud?: unknown };

/** extraTokenClaims: the data scopes a token without audience covers, or nothing. */
export function apiScopeClaims(
  ctx: KoaContextWithOIDC | undefined,
  token: TokenLike,
  o: { audience: string; dataScopeIds: ReadonlySet<string> },
): Record<string, string> | undefined {
  if (token.kind !== 'AccessToken' || token.aud !== undefined || !ctx?.oidc) return undefined;
  const { Grant: grant, RefreshToken: refresh, AuthorizationCode: code } = ctx.oidc.entities;
  const source = refresh ?? code;
  if (!grant || !source) return undefined;
  // A refresh may narrow the scope (RFC 6749 §6); oidc-provider has already refused a wider one.
  const requested = ctx.oidc.params?.scope ? ctx.oidc.requestParamScopes : source.scopes;
  const scope = grant.getResourceScopeFiltered(
    o.audience,
    [...requested].filter((s) => o.dataScopeIds.has(s)),
  );
  return scope ? { [API_SCOPE_CLAIM]: scope } : undefined;
}

/** The invalid_target refusal, naming the one value accepted. */
export function invalidTarget(audience: string, why: string): Error {
  const err = new errors.InvalidTarget();
  Object.assign(err, {
    error_description: `${why}: the only resource is ${audience} (or leave resource out; the token serves userinfo and the API alike)`,
  });
  return err;
}

/**
 * At the token endpoint, before the grant handler: refuses any `resource` but ours (so the code or
 * refresh token is still there for a corrected request), then drops ours.
 */
export function normaliseTokenResource(params: Record<string, unknown>, audience: string): void {
  const { resource } = params;
  if (resource === undefined) return;
  const values = Array.isArray(resource) ? resource : [resource];
  for (const value of values) {
    if (typeof value !== 'string' || !URL.canParse(value)) {
      throw invalidTarget(audience, 'resource must be an absolute URI');
    }
    if (value.includes('#')) throw invalidTarget(audience, 'resource must not contain a fragment');
    if (value !== audience) throw invalidTarget(audience, `unknown resource ${value}`);
  }
  delete params.resource;
}

/** The token response's scope with the data scopes the token covers added (RFC 6749 §5.1). */
export function withApiScope(scope: unknown, extra: Record<string, unknown> | undefined): string | undefined {
  const api = extra?.[API_SCOPE_CLAIM];
  if (typeof api !== 'string' || !api) return typeof scope === 'string' ? scope : undefined;
  const all = new Set([...(typeof scope === 'string' ? scope.split(' ') : []), ...api.split(' ')]);
  return [...all].filter(Boolean).join(' ');
}
