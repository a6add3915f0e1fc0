// One data scope's value as a person reads it (« Mes données », an advisor's view of the lent
// data): under the scope's French title, each field under its label, each value written as on the
// consent page (dates in words, labels for codes, lists as lists). Pure.
import type { FieldDef, ScopeDef } from './catalog-schema.ts';
import { formatValue, NOT_GIVEN, type ShownValue, valueText } from './format-value.ts';

export interface Row {
  label: string;
  value: ShownValue;
}

/** Each shown field of `source`, labelled and written out. */
export const fieldRows = (shown: readonly FieldDef[], source: Record<string, unknown> | undefined): Row[] =>
  shown.map((field) => ({ label: field.label, value: formatValue(field, source?.[field.id]) }));

/** A data scope's section with the `shown` fields of its value (an object, or a list of items). */
export function scopeSection(scope: ScopeDef, shown: readonly FieldDef[], value: unknown) {
  if (scope.shape === 'list') {
    const items = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
    // Each item is titled by its first field a person chooses (a skill's name, a job title).
    const titleField = shown.find((f) => !f.travelsWith) ?? shown[0];
    return {
      id: scope.id,
      title: scope.title,
      items: items.map((item) => ({
        title: titleField ? valueText(titleField, item[titleField.id]) : '',
        rows: fieldRows(shown, item),
      })),
      none: NOT_GIVEN,
    };
  }
  return {
    id: scope.id,
    title: scope.title,
    rows: value ? fieldRows(shown, value as Record<string, unknown>) : [],
    none: NOT_GIVEN,
  };
}
