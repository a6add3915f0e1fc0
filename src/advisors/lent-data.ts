// What an advisor reads of a jobseeker: only the fields of the live mandate, each scope's value cut
// to them by the resource API's own filter (../api/filter-fields.ts), then written as « Mes données »
// writes it (labels, dates in words, lists as lists). Pure.
import { filterScopeValue, grantedFieldIds } from '../api/filter-fields.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import { scopeSection } from '../catalog/scope-section.ts';

/** The jobseeker's data cut to the mandate: scopes and fields outside it are absent. */
export function lentData(catalog: Catalog, fields: readonly string[], data: Record<string, unknown>) {
  const lent: Record<string, unknown> = {};
  const reads: { scope: string; fields: string[] }[] = [];
  for (const scope of catalog.dataScopes) {
    const ids = grantedFieldIds(scope.id, fields);
    if (!ids.size) continue;
    lent[scope.id] = filterScopeValue(scope, data[scope.id], ids);
    reads.push({ scope: scope.id, fields: [...ids].sort() });
  }
  return { lent, reads };
}

/** The lent data as sections to read, in catalog order. */
export function lentSections(catalog: Catalog, fields: readonly string[], lent: Record<string, unknown>) {
  return catalog.dataScopes
    .filter((scope) => scope.id in lent)
    .map((scope) => {
      const ids = grantedFieldIds(scope.id, fields);
      return scopeSection(
        scope,
        scope.fields.filter((f) => ids.has(f.id)),
        lent[scope.id],
      );
    });
}
