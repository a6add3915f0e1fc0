import type { Catalog } from '../catalog/load-catalog.ts';

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
