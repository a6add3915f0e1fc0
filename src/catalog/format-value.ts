// A jobseeker's value as a person reads it, derived from the catalog alone: calendar dates in words
// ("3 février 2026"), enum values by their French label, yes/no for booleans, an object through its
// display template (an address as on an envelope) or as "Label : value" lines, lists as lists. Nothing
// here knows a field by its name, so a new field reads right as soon as its catalog entry is complete.
import { displayMembers, type FieldDef, type PropertyDef } from './catalog-schema.ts';

/** One text (which may hold line breaks), or a list of texts to show as a list. */
export type ShownValue = string | string[];

export const NOT_GIVEN = 'Non renseigné';

type Def = FieldDef | PropertyDef;

// A calendar date has no time zone: it is read and written in UTC so that it never shifts by a day.
const longDate = new Intl.DateTimeFormat('fr-FR', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const decimal = new Intl.NumberFormat('fr-FR');

/** "2026-02-03" → "3 février 2026", "2024-09-01" → "1er septembre 2024". */
export function formatDate(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return iso;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (Number.isNaN(date.getTime())) return iso;
  // French writes the first day of a month as an ordinal.
  return longDate.format(date).replace(/^1 /, '1er ');
}

const empty = (value: unknown) => value === null || value === undefined || value === '';

/** One value as a single text; arrays inside are joined with commas. */
export function valueText(def: Def, value: unknown): string {
  if (empty(value)) return NOT_GIVEN;
  switch (def.type) {
    case 'boolean':
      return value ? 'Oui' : 'Non';
    case 'date':
      return typeof value === 'string' ? formatDate(value) : String(value);
    case 'integer':
      // Integers are years, distances, counts: "2012", never "2 012".
      return String(value);
    case 'number':
      return typeof value === 'number' ? decimal.format(value) : String(value);
    case 'string':
      return (typeof value === 'string' && def.enumLabels?.[value]) || String(value);
    case 'array':
      return Array.isArray(value)
        ? value.length
          ? value.map((item) => valueText(def.items as PropertyDef, item)).join(', ')
          : NOT_GIVEN
        : String(value);
    case 'object':
      return objectText(def, value as Record<string, unknown>);
  }
}

function objectText(def: Def, value: Record<string, unknown>): string {
  const members = (def.properties ?? {}) as Record<string, PropertyDef>;
  if (def.display) {
    const lines = def.display
      .split('\n')
      .filter((line) => displayMembers(line).some((name) => !empty(value[name])))
      .map((line) =>
        line
          .replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (_m, name: string) =>
            empty(value[name]) ? '' : valueText(members[name] as PropertyDef, value[name]),
          )
          // Spaces collapse; a member's own line breaks stay (an OIDC street_address may hold
          // complement lines before the street).
          .replace(/[^\S\n]+/g, ' ')
          .replace(/ *\n */g, '\n')
          .replace(/\(\s*\)/g, '')
          .trim(),
      )
      .filter(Boolean);
    if (lines.length) return lines.join('\n');
  }
  const lines = Object.entries(members)
    .filter(([name]) => !empty(value[name]))
    .map(([name, member]) => `${member.label ?? name} : ${valueText(member, value[name])}`);
  return lines.length ? lines.join('\n') : NOT_GIVEN;
}

/** A field's value: a list of texts for an array, one text otherwise. */
export function formatValue(def: Def, value: unknown): ShownValue {
  if (def.type === 'array' && Array.isArray(value) && value.length)
    return value.map((item) => valueText(def.items as PropertyDef, item));
  return valueText(def, value);
}

/**
 * A field of a list scope across its items (one text per item), or a field of an object scope. With
 * `partner`, the value of the field that travels with it follows in brackets: "Anglais (code EN)".
 */
export function formatScopeField(
  shape: string,
  scopeValue: unknown,
  field: FieldDef,
  partner?: FieldDef,
): ShownValue {
  const one = (item: Record<string, unknown> | undefined): string => {
    const text = valueText(field, item?.[field.id]);
    const code = partner ? item?.[partner.id] : undefined;
    return empty(code) ? text : `${text} (code ${String(code)})`;
  };
  if (shape === 'list') {
    const items = Array.isArray(scopeValue) ? (scopeValue as Record<string, unknown>[]) : [];
    return items.length ? items.map(one) : NOT_GIVEN;
  }
  const item = scopeValue as Record<string, unknown> | undefined;
  if (!partner && field.type === 'array') return formatValue(field, item?.[field.id]);
  return one(item);
}
