import type { ScopeDef } from '../catalog/catalog-schema.ts';

type Item = Record<string, unknown>;

const pick = (item: unknown, fields: ReadonlySet<string>): Item =>
  Object.fromEntries(Object.entries((item ?? {}) as Item).filter(([key]) => fields.has(key)));

// A data scope's value with only the consented fields: unconsented keys are absent (not null), and
// each list item keeps only consented keys. Pure, so it is tested property-based.
export function filterScopeValue(
  scope: ScopeDef,
  value: unknown,
  fields: ReadonlySet<string>,
): Item | Item[] {
  if (scope.shape === 'list') return Array.isArray(value) ? value.map((item) => pick(item, fields)) : [];
  return pick(value, fields);
}

// The field ids of one scope that a consent's '<scope>.<field>' keys grant.
export function grantedFieldIds(scopeId: string, keys: readonly string[]): Set<string> {
  const prefix = `${scopeId}.`;
  return new Set(keys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)));
}
