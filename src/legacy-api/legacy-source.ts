// What a legacy API's mapping reads: the stored values of the native catalog, and the native fields
// ('scope.field') that may leave the server with this request. Every legacy value is derived from
// those stored values (one stored value, two shapes: /api/v1/* and /partenaire/*), and a legacy field
// is present only when every native field it is made of is released: a field not released is
// absent, a released field with no value is null (docs/LEGACY-APIS.md).

export interface LegacySource {
  /** the jobseeker's OIDC claims, for the APIs made of them (userinfo, coordonnees, etat-civil) */
  claims: Record<string, unknown>;
  /** the stored value of the API's data scope, for the APIs made of one */
  data: unknown;
  /** the native field keys that may be sent: consented now, covered by the token, registered */
  released: ReadonlySet<string>;
  /** the pairwise subject this app knows the jobseeker by (the ID token's sub) */
  sub: string;
  /** the same pairwise identifier as a UUID (the ID token's idIdentiteExterne, legacy-id-claims.ts) */
  externalId: string;
  /** when the jobseeker's profile last changed */
  updatedAt: Date;
  now: Date;
}

export type LegacyBody = Record<string, unknown> | Record<string, unknown>[];

/** Adds `key` to `out` when every native field of `from` is released; the value is null when unknown. */
export function put(
  out: Record<string, unknown>,
  released: ReadonlySet<string>,
  from: string | string[],
  key: string,
  value: () => unknown,
): void {
  const sources = Array.isArray(from) ? from : [from];
  if (!sources.every((s) => released.has(s))) return;
  out[key] = value() ?? null;
}

export const asRecord = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

export const asItems = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.map(asRecord) : [];

/** A string value, or null for anything else (an empty string included). */
export const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;

/** Upper case as Pôle emploi's records hold names and addresses ("ROBERT", "ST SEBASTIEN SUR LOIRE"). */
export const upper = (value: unknown): string | null => text(value)?.toLocaleUpperCase('fr-FR') ?? null;

/** `{code, libelle}` for an enum value, or null for an unknown or absent one. */
export function coded(
  table: Readonly<Record<string, { code: string; libelle: string }>>,
  value: unknown,
): { code: string; libelle: string } | null {
  const entry = typeof value === 'string' && Object.hasOwn(table, value) ? table[value] : undefined;
  return entry ? { code: entry.code, libelle: entry.libelle } : null;
}
