// Reads scopes/*.yaml once at start-up. Any defect stops the server with a message naming the file and the
// field, because a wrong catalog means showing the jobseeker texts that do not match the data we share.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { fsReason } from '../startup-error.ts';
import { type FieldDef, type ScopeDef, type ScopeFile, scopeFileSchema } from './catalog-schema.ts';
import { fieldValueSchema } from './field-value-schema.ts';
import { buildLegacyIndex, type LegacyIndex, type ResolvedScopes, resolveScopes } from './legacy-scopes.ts';

export interface Catalog {
  scopes: ScopeDef[];
  byId: ReadonlyMap<string, ScopeDef>;
  oidcScopes: ScopeDef[];
  dataScopes: ScopeDef[];
  claimsByScope: Record<string, string[]>;
  fieldKeys: ReadonlySet<string>;
  field(key: string): { scope: ScopeDef; field: FieldDef } | undefined;
  /** the keys given plus every field that travels with one of them (a code with its label) */
  withTravellers(keys: Iterable<string>): string[];
  textsHash(fieldKeys: Iterable<string>): string;
  textsFor(fieldKeys: Iterable<string>): object;
  /** the Pôle emploi Connect names of the catalog's scopes (legacy-scopes.ts) */
  legacy: LegacyIndex;
  /**
   * The catalog scopes and fields a request asks for, in either vocabulary (native ids, Pôle emploi
   * Connect names, or both); `clientId` is the only application_<id> accepted when given.
   */
  resolveScopes(requested: string | Iterable<string>, clientId?: string): ResolvedScopes;
}

export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

const SCOPE_FILE = /\.ya?ml$/;

export function loadCatalog(dir: string): Catalog {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => SCOPE_FILE.test(n))
      .sort();
  } catch (err) {
    throw new CatalogError(
      `cannot read the scopes folder ${dir}: ${fsReason(err)}. Run from a complete checkout you can read (restore it with git checkout -- scopes).`,
    );
  }
  const byId = new Map<string, ScopeDef>();
  const order = new Map<ScopeDef, number>();
  const fileOfOrder = new Map<number, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    const parsed = readScopeFile(file);
    const stem = name.replace(SCOPE_FILE, '');
    if (parsed.id !== stem) fail(file, 'id', `scope id "${parsed.id}" must equal the file name "${stem}"`);
    const other = byId.get(parsed.id);
    if (other) fail(file, 'id', `duplicate scope id "${parsed.id}" (also in ${other.file})`);
    const orderTaken = fileOfOrder.get(parsed.order);
    if (orderTaken) fail(file, 'order', `duplicate order ${parsed.order} (also in ${orderTaken})`);
    checkExamples(file, parsed);
    const { order: position, ...rest } = parsed;
    const scope: ScopeDef = { ...rest, file };
    byId.set(scope.id, scope);
    order.set(scope, position);
    fileOfOrder.set(position, file);
  }
  checkCrossScope(dir, byId);
  const scopes = [...byId.values()].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return buildCatalog(scopes, buildLegacyIndex(scopes, fail));
}

function fail(file: string, fieldPath: string, message: string): never {
  throw new CatalogError(`${file}: ${fieldPath}: ${message}`);
}

function readScopeFile(file: string): ScopeFile {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(file, '(yaml)', (err as Error).message);
  }
  const result = scopeFileSchema.safeParse(raw, { error: requiredMessage });
  if (!result.success) throw new CatalogError(describeIssues(file, [], result.error.issues));
  return result.data;
}

// Zod's default "expected string, received undefined" hides the real problem from a non-developer.
function requiredMessage(issue: { code?: string; input?: unknown }): string | undefined {
  return issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : undefined;
}

function describeIssues(file: string, prefix: PropertyKey[], issues: z.core.$ZodIssue[]): string {
  const lines: string[] = [];
  for (const issue of issues) {
    const at = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${file}: ${formatPath([...at, key])}: Unknown key (typo?)`);
    } else {
      lines.push(`${file}: ${formatPath(at)}: ${issue.message}`);
    }
  }
  return lines.join('\n');
}

/** ['fields', 2, 'label'] → 'fields[2].label', the way a reader would point at it in the YAML. */
export function formatPath(at: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of at) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${String(seg)}` : String(seg);
  return out || '(root)';
}

// Examples end up in the published OpenAPI document; a wrong one would mislead every integrator.
function checkExamples(file: string, scope: ScopeFile): void {
  scope.fields.forEach((field, i) => {
    if (field.example === undefined) return;
    const result = fieldValueSchema(field).safeParse(field.example);
    if (!result.success) {
      throw new CatalogError(describeIssues(file, ['fields', i, 'example'], result.error.issues));
    }
  });
}

function checkCrossScope(dir: string, byId: Map<string, ScopeDef>): void {
  const openid = byId.get('openid');
  if (!openid) fail(path.join(dir, 'openid.yaml'), 'id', 'the "openid" scope is required (file missing)');
  if (openid.kind !== 'oidc') fail(openid.file, 'kind', 'the openid scope must be of kind oidc');
  if (!openid.fields.some((f) => f.id === 'sub')) {
    fail(openid.file, 'fields', 'the openid scope must declare the "sub" claim');
  }
  // oidc-provider maps each claim to one scope; a claim in two scopes would be shared under either consent.
  const claimOwner = new Map<string, ScopeDef>();
  for (const scope of byId.values()) {
    if (scope.kind !== 'oidc') continue;
    scope.fields.forEach((field, i) => {
      const owner = claimOwner.get(field.id);
      if (owner)
        fail(scope.file, `fields[${i}].id`, `claim "${field.id}" is already declared in ${owner.file}`);
      claimOwner.set(field.id, scope);
    });
    (scope.derived_claims ?? []).forEach((claim, i) => {
      const owner = claimOwner.get(claim.id);
      if (owner)
        fail(
          scope.file,
          `derived_claims[${i}].id`,
          `claim "${claim.id}" is already declared in ${owner.file}`,
        );
      claimOwner.set(claim.id, scope);
    });
  }
}

function buildCatalog(scopes: ScopeDef[], legacy: LegacyIndex): Catalog {
  deepFreeze(scopes);
  const byId = new Map(scopes.map((s) => [s.id, s] as const));
  const fieldIndex = new Map<string, { scope: ScopeDef; field: FieldDef }>();
  for (const scope of scopes) {
    for (const field of scope.fields)
      fieldIndex.set(`${scope.id}.${field.id}`, Object.freeze({ scope, field }));
  }
  const oidcScopes = scopes.filter((s) => s.kind === 'oidc');
  const claimsByScope = Object.fromEntries(
    oidcScopes.map((s) => [
      s.id,
      [...s.fields.map((f) => f.id), ...(s.derived_claims ?? []).map((d) => d.id)],
    ]),
  );
  const field = (key: string) => fieldIndex.get(key);
  // '<scope>.<label field>' → the '<scope>.<code field>' keys that go with it
  const travellers = new Map<string, string[]>();
  for (const scope of scopes) {
    for (const f of scope.fields) {
      if (!f.travelsWith) continue;
      const key = `${scope.id}.${f.travelsWith}`;
      travellers.set(key, [...(travellers.get(key) ?? []), `${scope.id}.${f.id}`]);
    }
  }
  const withTravellers = (keys: Iterable<string>) => {
    const out = new Set<string>();
    for (const key of keys) {
      out.add(key);
      for (const other of travellers.get(key) ?? []) out.add(other);
    }
    return [...out];
  };

  const textsFor = (keys: Iterable<string>) => {
    const out: Record<string, { title: string; explanation: string; fields: Record<string, object> }> = {};
    for (const key of [...new Set(keys)].sort()) {
      const hit = field(key);
      if (!hit) throw new CatalogError(`unknown field key "${key}"`);
      const { scope, field: f } = hit;
      const entry = out[scope.id] ?? { title: scope.title, explanation: scope.explanation, fields: {} };
      out[scope.id] = entry;
      entry.fields[f.id] = { label: f.label, description: f.description };
    }
    return { scopes: out };
  };

  return deepFreeze({
    scopes,
    byId: readOnlyCollection(byId),
    oidcScopes,
    dataScopes: scopes.filter((s) => s.kind === 'data'),
    claimsByScope,
    fieldKeys: readOnlyCollection(new Set(fieldIndex.keys())),
    field,
    withTravellers,
    textsHash: (keys: Iterable<string>) => hashTexts(textsFor(keys)),
    textsFor,
    legacy: {
      scopes: readOnlyCollection(legacy.scopes as Map<string, readonly string[]>),
      technicalScopes: readOnlyCollection(legacy.technicalScopes as Set<string>),
    },
    resolveScopes: (requested: string | Iterable<string>, clientId?: string) =>
      resolveScopes(scopes, legacy, requested, clientId),
  });
}

/**
 * sha256 of the canonical JSON (keys sorted at every level) of a texts object. Exported so stored texts
 * (jsonb does not keep key order) can be re-hashed and checked against their recorded hash.
 */
export function hashTexts(texts: object): string {
  return createHash('sha256').update(canonicalJson(texts)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

// Object.freeze does not stop Map#set or Set#add, so the mutators are replaced as well.
function readOnlyCollection<T extends Map<unknown, unknown> | Set<unknown>>(collection: T): T {
  for (const method of ['set', 'add', 'delete', 'clear']) {
    if (method in collection) {
      Object.defineProperty(collection, method, {
        value: () => {
          throw new TypeError('the scope catalog is read-only');
        },
      });
    }
  }
  return Object.freeze(collection);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
