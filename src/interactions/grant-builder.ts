// Carries a consent decision into oidc-provider's Grant, through its public API only: granted
// claims and scopes are added, unticked ones rejected, so the jobseeker is not asked again for the
// same fields, and the token response's scope lists exactly the scopes with a granted field.
import type Provider from 'oidc-provider';
import type { Catalog } from '../catalog/load-catalog.ts';

export interface GrantInput {
  accountId: string;
  clientId: string;
  existingGrantId?: string;
  /** the request's scope parameter */
  scope: string;
  /** the scopes the page showed (allowed for the app and known to the catalog) */
  shownScopes: string[];
  /** every field key the consent now holds */
  fields: string[];
  apiAudience: string;
}

export async function saveGrant(provider: Provider, catalog: Catalog, input: GrantInput): Promise<string> {
  const found = input.existingGrantId ? await provider.Grant.find(input.existingGrantId) : undefined;
  const grant =
    found && found.accountId === input.accountId && found.clientId === input.clientId
      ? found
      : new provider.Grant({ accountId: input.accountId, clientId: input.clientId });

  const granted = new Set(input.fields);
  grant.addOIDCScope('openid');
  if (input.scope.split(' ').includes('offline_access')) grant.addOIDCScope('offline_access');

  for (const scopeId of input.shownScopes) {
    const scope = catalog.byId.get(scopeId);
    if (!scope || scope.id === 'openid') continue;
    const keys = scope.fields.map((f) => ({ id: f.id, granted: granted.has(`${scope.id}.${f.id}`) }));
    const any = keys.some((k) => k.granted);
    if (scope.kind === 'oidc') {
      if (any) {
        grant.addOIDCScope(scope.id);
        grant.addOIDCClaims(keys.filter((k) => k.granted).map((k) => k.id));
      } else {
        grant.rejectOIDCScope(scope.id);
      }
      const refused = keys.filter((k) => !k.granted).map((k) => k.id);
      if (refused.length) grant.rejectOIDCClaims(refused);
    } else if (any) {
      grant.addResourceScope(input.apiAudience, scope.id);
    } else {
      grant.rejectResourceScope(input.apiAudience, scope.id);
    }
  }
  return grant.save();
}
