// What a Pôle emploi Connect authorization asked for, kept from the authorization to its tokens, so
// that the token endpoint — /connexion/oauth2/access_token or /token, whichever the app reaches
// (Pix follows discovery) — answers such an authorization as those apps expect (PECONNECT.md §2.2,
// §8.2): the `nonce` echoed, and `scope` listing the granted scopes in the app's own words. Keyed on
// the authorization, not on the path: a code or refresh token of a legacy authorization gets that
// answer at either endpoint (at /token, for the apps registered under their PAR_ identifier: the
// unchanged apps), any other gets oidc-provider's own.
// - At the authorization endpoint, the legacy rewrite (legacy-protocol.ts) passes the app's scope
//   string as `peconnect_scope`, an extra parameter oidc-provider keeps through the consent page;
//   anyone else's `peconnect_scope` is dropped (keepLegacyScope), so a standard request cannot
//   choose what its token answer says.
// - When the code is issued (the authorization endpoint or its resumption after consent), that string
//   is recorded for the code's grant (legacy-authorization-queries.ts); an authorization in the
//   catalog's words for the same grant forgets it, so the grant's latest authorization decides.
// - The echo names only strings of the app's request, each granted: a catalog id the token holds, a
//   legacy data name or technical scope whose catalog scopes it holds, offline_access if it holds it.
//   application_<id>, qos_* and the names of APIs not served here (legacy-unserved.yaml) are never
//   granted, so never echoed: the app sees they were not.
import type Koa from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Catalog } from '../catalog/load-catalog.ts';
import { isLegacyRequest } from './legacy-request.ts';

export const LEGACY_SCOPE_PARAM = 'peconnect_scope';

/** oidc-provider extraParams validator: the parameter is ours to set, on legacy requests only. */
export async function keepLegacyScope(ctx: KoaContextWithOIDC, value: string | undefined) {
  if (value !== undefined && !isLegacyRequest(ctx))
    delete (ctx.oidc.params as Record<string, unknown>)[LEGACY_SCOPE_PARAM];
}

export interface LegacyAuthorizations {
  record(o: { grantId: string; clientId: string; scope: string; expiresInSeconds: number }): Promise<void>;
  forget(grantId: string): Promise<void>;
  find(grantId: string): Promise<string | undefined>;
}

type Entities = {
  AuthorizationCode?: { grantId?: string; clientId?: string };
  Grant?: { exp?: number };
};

/** After an authorization answered with a code: remember (or forget) what the app asked in its words. */
export async function rememberAuthorization(
  ctx: Koa.Context,
  authorizations: LegacyAuthorizations,
  fallbackTtlSeconds: number,
): Promise<void> {
  const oidc = (ctx as unknown as Partial<KoaContextWithOIDC>).oidc;
  const { AuthorizationCode: code, Grant: grant } = (oidc?.entities ?? {}) as Entities;
  if (!code?.grantId || !code.clientId) return;
  const asked = (oidc?.params as Record<string, unknown> | undefined)?.[LEGACY_SCOPE_PARAM];
  if (typeof asked !== 'string' || asked === '') return authorizations.forget(code.grantId);
  const now = Math.floor(Date.now() / 1000);
  const expiresInSeconds = grant?.exp && grant.exp > now ? grant.exp - now : fallbackTtlSeconds;
  await authorizations.record({
    grantId: code.grantId,
    clientId: code.clientId,
    scope: asked,
    expiresInSeconds,
  });
}

/** The granted scopes (`granted`, the token's) named with the strings of the app's request only. */
export function legacyScopeEcho(catalog: Catalog, requested: string, granted: string): string {
  const has = new Set(granted.split(' ').filter(Boolean));
  const owners = (technical: string) =>
    catalog.scopes.filter((s) => s.legacy?.technical_scopes?.includes(technical)).map((s) => s.id);
  const echoed = [...new Set(requested.split(' ').filter(Boolean))].filter((word) => {
    if (catalog.byId.has(word) || word === 'offline_access') return has.has(word);
    const ids =
      catalog.legacy.scopes.get(word) ?? (catalog.legacy.technicalScopes.has(word) ? owners(word) : []);
    return ids.some((id) => has.has(id));
  });
  return echoed.join(' ');
}
