import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { FieldDef, ScopeDef } from '../../src/catalog/catalog-schema.ts';
import { CatalogError, canonicalJson, hashTexts, loadCatalog } from '../../src/catalog/load-catalog.ts';

const SCOPES_DIR = fileURLToPath(new URL('../../scopes', import.meta.url));
const catalog = loadCatalog(SCOPES_DIR);

// --- fixture factories: each broken case is a small, named deviation from a valid minimal catalog ---
type Obj = Record<string, unknown>;
const field = (over: Obj = {}): Obj => ({
  id: 'code',
  label: 'Code',
  description: 'Le code.',
  sensitive: false,
  type: 'string',
  ...over,
});
const scope = (over: Obj = {}): Obj => ({
  id: 'competences',
  order: 2,
  kind: 'data',
  shape: 'list',
  title: 'Vos compétences',
  explanation: 'Ce que vous savez faire.',
  fields: [field()],
  ...over,
});
const openid = (over: Obj = {}): Obj =>
  scope({ id: 'openid', order: 1, kind: 'oidc', shape: 'claims', fields: [field({ id: 'sub' })], ...over });
const without = (obj: Obj, key: string): Obj =>
  Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key));

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function writeCatalog(files: Record<string, Obj | string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pec-catalog-'));
  tempDirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : stringify(content));
  }
  return dir;
}
const minimal = (extra: Record<string, Obj | string> = {}) => ({
  'openid.yaml': openid(),
  'competences.yaml': scope(),
  ...extra,
});

function loadError(files: Record<string, Obj | string>): { message: string; dir: string } {
  const dir = writeCatalog(files);
  try {
    loadCatalog(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogError);
    expect((err as Error).name).toBe('CatalogError');
    return { message: (err as Error).message, dir };
  }
  throw new Error('expected loadCatalog to throw');
}

describe('loadCatalog on the shipped scopes', () => {
  it('loads the 14 scopes in display order', () => {
    const ids =
      'openid profile email phone address statut indemnisation competences langues permis formations experiences projet conseillers';
    expect(catalog.scopes.map((s) => s.id)).toEqual(ids.split(' '));
    expect(catalog.oidcScopes.map((s) => s.id)).toEqual(ids.split(' ').slice(0, 5));
    expect(catalog.dataScopes.map((s) => s.id)).toEqual(ids.split(' ').slice(5));
    expect(catalog.byId.get('competences')?.file).toBe(join(SCOPES_DIR, 'competences.yaml'));
  });

  it('maps OIDC scopes to their claims', () => {
    expect(catalog.claimsByScope).toEqual({
      openid: ['sub'],
      profile: ['given_name', 'family_name', 'gender', 'birthdate', 'name'],
      email: ['email', 'email_verified'],
      phone: ['phone_number'],
      address: ['address'],
    });
  });

  it('indexes every field by <scope>.<field>', () => {
    expect(catalog.fieldKeys.has('competences.code')).toBe(true);
    expect(catalog.fieldKeys.has('openid.sub')).toBe(true);
    expect(catalog.fieldKeys.has('competences.nope')).toBe(false);
    expect(catalog.field('experiences.dateFin')?.field).toMatchObject({ type: 'date', nullable: true });
    expect(catalog.field('indemnisation.beneficiaireAssuranceChomage')?.field.sensitive).toBe('financial');
    expect(catalog.field('nope')).toBeUndefined();
  });

  it('marks only financial or special-category data, never ordinary personal data', () => {
    const marked = catalog.scopes.flatMap((s) =>
      s.fields.filter((f) => f.sensitive !== false).map((f) => `${s.id}.${f.id}:${f.sensitive}`),
    );
    expect(marked).toEqual([
      'indemnisation.beneficiaireAssuranceChomage:financial',
      'indemnisation.beneficiairePrestationSolidarite:financial',
    ]);
  });

  it('labels every enum value in French, and pairs each code with the field it travels with', () => {
    for (const scope of catalog.scopes) {
      for (const field of scope.fields) {
        for (const value of field.enum ?? [])
          expect(field.enumLabels?.[value], `${field.id}=${value}`).toBeTruthy();
      }
    }
    expect(catalog.field('profile.gender')?.field.enumLabels).toEqual({ female: 'Femme', male: 'Homme' });
    expect(catalog.withTravellers(['competences.libelle', 'langues.niveau']).sort()).toEqual([
      'competences.code',
      'competences.libelle',
      'langues.niveau',
    ]);
    // A code named alone (no page offers it) is taken as it is.
    expect(catalog.withTravellers(['competences.code'])).toEqual(['competences.code']);
    const pairs = catalog.scopes.flatMap((s) =>
      s.fields.filter((f) => f.travelsWith).map((f) => `${s.id}.${f.id}→${f.travelsWith}`),
    );
    expect(pairs).toEqual([
      'statut.codeStatutIndividu→libelleStatutIndividu',
      'competences.code→libelle',
      'langues.code→libelle',
      'permis.code→libelle',
      'formations.domaineCode→domaine',
    ]);
  });

  it('is deeply frozen, collections included', () => {
    expect(Object.isFrozen(catalog)).toBe(true);
    expect(Object.isFrozen(catalog.scopes[0]?.fields[0])).toBe(true);
    expect(() => (catalog.byId as Map<string, unknown>).set('x', 1)).toThrow(TypeError);
    expect(() => (catalog.fieldKeys as Set<string>).add('x.y')).toThrow(TypeError);
    expect(catalog.byId.has('x')).toBe(false);
  });
});

describe('loadCatalog rejects a broken file, naming the file and the field', () => {
  // Broken fields in competences.yaml: [fields, expected "<path>: <message>"].
  const fieldCases: Record<string, [Obj[], string]> = {
    'a missing label': [[field(), without(field({ id: 'libelle' }), 'label')], 'fields[1].label: Required'],
    'a missing sensitive flag': [[without(field(), 'sensitive')], 'fields[0].sensitive: Required'],
    'a blank label': [[field({ label: '  ' })], 'fields[0].label: must not be empty'],
    'an unknown field type': [[field({ type: 'text' })], 'fields[0].type:'],
    'a misspelt key': [[field({ sensitve: true })], 'fields[0].sensitve: Unknown key'],
    'a duplicate field id': [[field(), field()], 'fields[1].id: duplicate field id "code"'],
    'an object without properties': [
      [field({ type: 'object' })],
      'fields[0].properties: Required for type object',
    ],
    'an enum on a boolean': [
      [field({ type: 'boolean', enum: ['a'] })],
      'fields[0].enum: Only allowed for type string',
    ],
    'an example of the wrong type': [[field({ type: 'date', example: '15/04/1990' })], 'fields[0].example:'],
    'sensitive: true, without its kind': [
      [field({ sensitive: true })],
      'fields[0].sensitive: must be false, financial or special_category',
    ],
    'an enum value without its label': [
      [field({ enum: ['a', 'b'], enumLabels: { a: 'A' } })],
      'fields[0].enumLabels: a French label is required for b',
    ],
    'an enum label for no value': [
      [field({ enum: ['a'], enumLabels: { a: 'A', z: 'Z' } })],
      'fields[0].enumLabels: not an enum value: z',
    ],
    'an enum without any label': [
      [field({ enum: ['a'] })],
      'fields[0].enumLabels: a French label is required',
    ],
    'an object member without a label': [
      [field({ type: 'object', properties: { x: { type: 'string' } } })],
      'fields[0].properties.x.label: Required',
    ],
    'a display template naming an unknown member': [
      [field({ type: 'object', display: '{y}', properties: { x: { type: 'string', label: 'X' } } })],
      'fields[0].display: unknown member {y}',
    ],
    'an optional field that is not nullable': [
      [field({ optional: true })],
      'fields[0].optional: Only allowed with nullable: true',
    ],
    'a display template on a string': [
      [field({ display: '{x}' })],
      'fields[0].display: Only allowed for type object',
    ],
    'a code travelling with an unknown field': [
      [field({ travelsWith: 'libelle' })],
      'fields[0].travelsWith: no field "libelle" in this scope',
    ],
    'a chain of travelling fields': [
      [field({ travelsWith: 'libelle' }), field({ id: 'libelle', travelsWith: 'nom' }), field({ id: 'nom' })],
      'fields[0].travelsWith: "libelle" travels with another field itself',
    ],
    'a broken nested property': [
      [field({ type: 'array', items: { type: 'object', properties: { x: { type: 'bogus' } } } })],
      'fields[0].items.properties.x.type:',
    ],
  };
  it.each(Object.entries(fieldCases))('%s', (_name, [fields, expected]) => {
    const { message, dir } = loadError(minimal({ 'competences.yaml': scope({ fields }) }));
    expect(message).toContain(`${join(dir, 'competences.yaml')}: ${expected}`);
  });

  // Broken files or folders: [files, expected "<file>: <path>: <message>"].
  const fileCases: Record<string, [Record<string, Obj | string>, string]> = {
    'a file name that differs from the id': [
      minimal({ 'langues.yaml': scope({ order: 3 }) }),
      'langues.yaml: id: scope id "competences" must equal the file name "langues"',
    ],
    'a duplicate scope id': [
      minimal({ 'competences.yml': scope({ order: 3 }) }),
      'competences.yml: id: duplicate scope id "competences"',
    ],
    'a duplicate order': [
      minimal({ 'langues.yaml': scope({ id: 'langues' }) }),
      'langues.yaml: order: duplicate order 2',
    ],
    'a missing openid scope': [
      { 'competences.yaml': scope() },
      'openid.yaml: id: the "openid" scope is required',
    ],
    'an openid scope without sub': [
      minimal({ 'openid.yaml': openid({ fields: [field({ id: 'other' })] }) }),
      'openid.yaml: fields: the openid scope must declare the "sub" claim',
    ],
    'an oidc scope with a list shape': [
      minimal({ 'openid.yaml': openid({ shape: 'list' }) }),
      'openid.yaml: shape: must be claims for kind oidc',
    ],
    'a data scope with a claims shape': [
      minimal({ 'competences.yaml': scope({ shape: 'claims' }) }),
      'competences.yaml: shape: must be object or list',
    ],
    'a claim declared in two oidc scopes': [
      minimal({ 'profile.yaml': openid({ id: 'profile', order: 3 }) }),
      'profile.yaml: fields[0].id: claim "sub" is already declared',
    ],
    'a derived claim made of an unknown field': [
      minimal({
        'openid.yaml': openid({ derived_claims: [{ id: 'name', from: ['sub', 'nope'], description: 'x' }] }),
      }),
      'openid.yaml: derived_claims[0].from[1]: "nope" is not a field of this scope',
    ],
    'a derived claim on a data scope': [
      minimal({
        'competences.yaml': scope({ derived_claims: [{ id: 'tout', from: ['code'], description: 'x' }] }),
      }),
      'competences.yaml: derived_claims: only OIDC scopes derive claims',
    ],
    'invalid YAML': [
      minimal({ 'competences.yaml': 'id: competences\n  title: [oops' }),
      'competences.yaml: (yaml):',
    ],
    'an empty file': [minimal({ 'competences.yaml': '' }), 'competences.yaml: (root):'],
  };
  it.each(Object.entries(fileCases))('%s', (_name, [files, expected]) => {
    const { message, dir } = loadError(files);
    expect(message).toContain(join(dir, expected));
  });

  it('reports a folder that cannot be read', () => {
    expect(() => loadCatalog(join(tmpdir(), `pec-no-such-dir-${Date.now()}`))).toThrow(CatalogError);
  });

  it('accepts the minimal valid fixture (so the cases above fail for their own reason)', () => {
    expect(loadCatalog(writeCatalog(minimal())).scopes.map((s) => s.id)).toEqual(['openid', 'competences']);
  });
});

describe('textsFor / textsHash', () => {
  const keys = ['competences.libelle', 'competences.code', 'profile.given_name'];

  it('builds the texts shown, grouped by scope', () => {
    const { title, explanation, fields } = catalog.byId.get('competences') as ScopeDef;
    const { label, description } = fields[0] as FieldDef;
    const texts = { title, explanation, fields: { code: { label, description } } };
    expect(catalog.textsFor(['competences.code'])).toEqual({ scopes: { competences: texts } });
  });

  it('is stable across calls, key order and duplicates', () => {
    const hash = catalog.textsHash(keys);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(catalog.textsHash([...keys].reverse())).toBe(hash);
    expect(catalog.textsHash([...keys, 'competences.code'])).toBe(hash);
    expect(catalog.textsHash(new Set(keys))).toBe(hash);
    expect(catalog.textsHash(['competences.code'])).not.toBe(hash);
  });

  it('hashes the canonical JSON of textsFor, whatever the key order it is read back in', () => {
    const texts = catalog.textsFor(keys);
    const expected = createHash('sha256').update(canonicalJson(texts)).digest('hex');
    expect(catalog.textsHash(keys)).toBe(expected);
    // jsonb gives keys back in its own order; the hash must not depend on it.
    const reverseKeys = (v: unknown): unknown =>
      v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .reverse()
              .map(([k, x]) => [k, reverseKeys(x)]),
          )
        : v;
    const reordered = reverseKeys(texts) as object;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(texts));
    expect(hashTexts(reordered)).toBe(expected);
  });

  it('changes when a label, description or scope text changes, and only for the fields concerned', () => {
    const variant = (over: Obj) => loadCatalog(writeCatalog(minimal({ 'competences.yaml': scope(over) })));
    const base = variant({});
    const relabelled = variant({ fields: [field({ label: 'Code ROME' })] });
    const h = base.textsHash(['competences.code']);
    expect(relabelled.textsHash(['competences.code'])).not.toBe(h);
    expect(variant({ fields: [field({ description: 'Autre.' })] }).textsHash(['competences.code'])).not.toBe(
      h,
    );
    expect(variant({ title: 'Autre titre' }).textsHash(['competences.code'])).not.toBe(h);
    expect(variant({ explanation: 'Autre.' }).textsHash(['competences.code'])).not.toBe(h);
    expect(relabelled.textsHash(['openid.sub'])).toBe(base.textsHash(['openid.sub']));
  });

  it('refuses an unknown field key', () => {
    expect(() => catalog.textsHash(['competences.nope'])).toThrow(/unknown field key "competences.nope"/);
  });
});
