// What an advisor reads of a jobseeker: only the fields of the live mandate, each scope's value cut
// to them by the resource API's own filter (../api/filter-fields.ts), then written as « Mes données »
// writes it (labels, dates in words, lists as lists). Pure.
import { filterScopeValue, grantedFieldIds } from '../api/filter-fields.ts';
import { formatValue, NOT_GIVEN, valueText } from '../catalog/format-value.ts';
import type { Catalog } from '../catalog/load-catalog.ts';

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
      const shown = scope.fields.filter((f) => ids.has(f.id));
      const value = lent[scope.id];
      const rows = (source: Record<string, unknown> | undefined) =>
        shown.map((field) => ({ label: field.label, value: formatValue(field, source?.[field.id]) }));
      if (scope.shape === 'list') {
        const items = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
        const titleField = shown.find((f) => !f.travelsWith) ?? shown[0];
        return {
          id: scope.id,
          title: scope.title,
          items: items.map((item) => ({
            title: titleField ? valueText(titleField, item[titleField.id]) : '',
            rows: rows(item),
          })),
          none: NOT_GIVEN,
        };
      }
      return {
        id: scope.id,
        title: scope.title,
        rows: rows(value as Record<string, unknown>),
        none: NOT_GIVEN,
      };
    });
}
