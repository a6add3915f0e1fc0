// The '<scope>.<field>' keys a consent is made of: which ones a request asks for, and the one that is
// always released. Pure.
import type { Catalog } from '../catalog/load-catalog.ts';

/** The pairwise subject identifier: always shared with openid (it is how the app recognises the
 * person), never ticked, never taken back while the consent lives, so never shown as "data shared". */
export const SUBJECT_FIELD = 'openid.sub';

/** The keys of `fields` that are data the jobseeker chose to share: all but the subject. */
export function sharedDataFields(fields: readonly string[]): string[] {
  return fields.filter((key) => key !== SUBJECT_FIELD);
}

// The scopes of a request that the app is allowed and the catalog knows, in catalog order.
// offline_access is a permission, not data, and is handled apart.
export function requestedScopes(catalog: Catalog, scope: string, allowed: readonly string[]) {
  const asked = new Set(scope.split(' ').filter(Boolean));
  return catalog.scopes.filter((s) => asked.has(s.id) && allowed.includes(s.id));
}

// Every '<scope>.<field>' key a consent page shows for this request.
export function requestedFields(catalog: Catalog, scope: string, allowed: readonly string[]): string[] {
  return requestedScopes(catalog, scope, allowed).flatMap((s) => s.fields.map((f) => `${s.id}.${f.id}`));
}
