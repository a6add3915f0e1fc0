// « Mes données »: what Pôle emploi Connect holds of the jobseeker's profile, as a person reads it —
// each scope under its French title, each field under its label, each value written as on the consent
// page (dates in words, labels for codes, addresses as addresses, lists as lists). For reading and
// printing; the JSON download beside it keeps its documented schema.
import { formatValue, NOT_GIVEN, type ShownValue, valueText } from '../catalog/format-value.ts';
import type { Catalog } from '../catalog/load-catalog.ts';

interface Row {
  label: string;
  value: ShownValue;
}

export function myDataPage(
  catalog: Catalog,
  jobseeker: { login: string; claims: Record<string, unknown> },
  data: Record<string, unknown>,
) {
  const sections = catalog.scopes
    .filter((scope) => scope.id !== 'openid')
    .map((scope) => {
      const rows = (source: Record<string, unknown> | undefined): Row[] =>
        scope.fields.map((field) => ({ label: field.label, value: formatValue(field, source?.[field.id]) }));
      if (scope.kind === 'oidc') return { id: scope.id, title: scope.title, rows: rows(jobseeker.claims) };
      const value = data[scope.id];
      if (scope.shape === 'list') {
        const items = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
        // Each item is titled by its first field a person chooses (a skill's name, a job title).
        const titleField = scope.fields.find((f) => !f.travelsWith) ?? scope.fields[0];
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
        rows: value ? rows(value as Record<string, unknown>) : [],
        none: NOT_GIVEN,
      };
    });
  return { login: jobseeker.login, sections };
}
