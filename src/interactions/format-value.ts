// A jobseeker's value as plain French text, for the "see what will be shared" disclosure.
export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'Non renseigné';
  if (typeof value === 'boolean') return value ? 'Oui' : 'Non';
  if (Array.isArray(value)) return value.length ? value.map(formatValue).join(' ; ') : 'Aucun';
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => `${k} : ${formatValue(v)}`)
      .join(', ');
  }
  return String(value);
}

// The value of one field of a scope: for a list scope, that field across every item.
export function fieldValue(shape: string, scopeValue: unknown, fieldId: string): unknown {
  if (shape === 'list') {
    return Array.isArray(scopeValue)
      ? scopeValue.map((item) => (item as Record<string, unknown>)?.[fieldId])
      : [];
  }
  return (scopeValue as Record<string, unknown> | undefined)?.[fieldId];
}
