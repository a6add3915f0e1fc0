// Everything built from the catalog: the zod value schemas and the OpenAPI document.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ScopeDef } from '../../src/catalog/catalog-schema.ts';
import { claimsSchema, dataScopeValueSchema } from '../../src/catalog/field-value-schema.ts';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';
import { buildOpenApi, schemaName } from '../../src/catalog/openapi.ts';

const catalog = loadCatalog(fileURLToPath(new URL('../../scopes', import.meta.url)));
const doc = buildOpenApi(catalog, {
  apiBaseUrl: 'http://localhost:3000/api',
  issuer: 'http://localhost:3000/',
});

// biome-ignore lint/suspicious/noExplicitAny: the test walks an untyped JSON document
type Obj = Record<string, any>;
const without = (obj: Obj, key: string): Obj =>
  Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key));
const paths = doc.paths as Obj;
const components = doc.components as Obj;
const schemas = components.schemas as Obj;

function resolve(ref: string): Obj {
  const parts = ref.replace(/^#\//, '').split('/');
  return parts.reduce<Obj>((node, part) => node[part], doc as Obj);
}

// Every key named `required` anywhere below a node, with where it was found.
function findRequired(node: unknown, at = '$'): string[] {
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => [
    ...(k === 'required' ? [`${at}.${k}`] : []),
    ...findRequired(v, `${at}.${k}`),
  ]);
}

// A complete value built from the examples in the scope files, which the loader already checked.
function sampleOf(s: ScopeDef): unknown {
  const item = Object.fromEntries(s.fields.map((f) => [f.id, f.example]));
  return s.shape === 'list' ? [item] : item;
}
const accepts = (s: ScopeDef, value: unknown) => dataScopeValueSchema(s).safeParse(value).success;

describe('dataScopeValueSchema', () => {
  it.each(catalog.dataScopes.map((s) => [s.id, s] as const))('accepts a complete %s sample', (_id, s) => {
    expect(s.fields.every((f) => f.example !== undefined)).toBe(true);
    expect(accepts(s, sampleOf(s))).toBe(true);
  });

  const statut = catalog.byId.get('statut') as ScopeDef;
  const competences = catalog.byId.get('competences') as ScopeDef;
  const projet = catalog.byId.get('projet') as ScopeDef;
  const valid = sampleOf(statut) as Obj;

  it('accepts null for a nullable field', () => {
    expect(accepts(statut, { ...valid, dateInscription: null, categorieInscription: null })).toBe(true);
  });

  it.each([
    ['an unknown key', { ...valid, extra: 1 }],
    ['a missing key', without(valid, 'dateInscription')],
    ['a wrong type', { ...valid, dateInscription: 20230904 }],
    ['a non ISO date', { ...valid, dateInscription: '04/09/2023' }],
    ['a value outside the enum', { ...valid, categorieInscription: 'Z' }],
    ['null on a non-nullable field', { ...valid, codeStatutIndividu: null }],
  ])('rejects %s', (_name, value) => {
    expect(accepts(statut, value)).toBe(false);
  });

  it('wants an array for a list scope and checks nested objects strictly', () => {
    const item = (sampleOf(competences) as Obj[])[0];
    expect(accepts(competences, item)).toBe(false);
    expect(accepts(competences, [])).toBe(true);
    const p = sampleOf(projet) as Obj;
    expect(accepts(projet, { ...p, metiersRecherches: [{ codeRome: 'D1106' }] })).toBe(false);
    expect(accepts(projet, { ...p, typesContrat: ['CDI', 'STAGE'] })).toBe(false);
    expect(accepts(projet, { ...p, salaireSouhaite: null, zoneRecherche: null })).toBe(true);
  });

  it('lets an older file leave out an optional field, stored as null, and still checks it when given', () => {
    const item = (sampleOf(competences) as Obj[])[0] as Obj;
    const parsed = dataScopeValueSchema(competences).parse([without(item, 'saisieLibre')]) as Obj[];
    expect(parsed[0]?.saisieLibre).toBeNull();
    expect(accepts(competences, [{ ...item, saisieLibre: 'oui' }])).toBe(false);
    // A field that is not optional is still required.
    expect(accepts(competences, [without(item, 'libelle')])).toBe(false);
  });

  it('refuses an oidc scope', () => {
    expect(() => dataScopeValueSchema(catalog.byId.get('profile') as ScopeDef)).toThrow(/not a data scope/);
  });
});

describe('claimsSchema', () => {
  const schema = claimsSchema(catalog);

  it('accepts any subset of the OIDC claims, sub excluded', () => {
    expect(schema.safeParse({}).success).toBe(true);
    const claims = catalog.oidcScopes.flatMap((s) => s.fields).filter((f) => f.id !== 'sub');
    expect(claims.map((f) => f.id)).toContain('address');
    expect(schema.safeParse(Object.fromEntries(claims.map((f) => [f.id, f.example]))).success).toBe(true);
    expect(schema.safeParse({ given_name: 'Marie', address: { locality: 'Lyon' } }).success).toBe(true);
  });

  it.each([
    ['sub', { sub: 'abc' }],
    ['an unknown claim', { nickname: 'Mimi' }],
    ['a wrong type', { email_verified: 'yes' }],
    ['an unknown address member', { address: { planet: 'Mars' } }],
  ])('rejects %s', (_name, value) => {
    expect(schema.safeParse(value).success).toBe(false);
  });
});

describe('buildOpenApi', () => {
  it('is an OpenAPI 3.1 document served from the API base URL', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'http://localhost:3000/api' }]);
    const info = doc.info as Obj;
    expect(info.title).toBeTruthy();
    expect(info.description).toMatch(/absente/);
    expect(info.description).toMatch(/chaque élément ne garde que les clés/);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('has one GET path per data scope, plus /v1/consent', () => {
    expect(Object.keys(paths).sort()).toEqual(
      [...catalog.dataScopes.map((s) => `/v1/${s.id}`), '/v1/consent'].sort(),
    );
    for (const scope of catalog.dataScopes) {
      const op = paths[`/v1/${scope.id}`].get;
      expect(op.security).toEqual([{ poleEmploiConnect: [scope.id] }]);
      expect(op.responses['200'].content['application/json'].schema.$ref).toBe(
        `#/components/schemas/${schemaName(scope.id)}`,
      );
    }
  });

  it('declares an openIdConnect scheme pointing at discovery, naming PKCE and the data scopes', () => {
    const scheme = components.securitySchemes.poleEmploiConnect;
    expect(scheme.type).toBe('openIdConnect');
    expect(scheme.openIdConnectUrl).toBe('http://localhost:3000/.well-known/openid-configuration');
    expect(scheme.description).toMatch(/PKCE/);
    for (const scope of catalog.dataScopes) expect(scheme.description).toContain(`\`${scope.id}\``);
  });

  it('answers 401 and 403 with the shared RFC 6750 error schema', () => {
    for (const path of Object.keys(paths)) {
      const { responses } = paths[path].get;
      for (const status of ['401', '403']) {
        const response = resolve(responses[status].$ref);
        expect(response.content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
        expect(response.headers['WWW-Authenticate']).toBeDefined();
      }
    }
    expect(Object.keys(schemas.Error.properties)).toEqual(['error', 'error_description']);
    expect(schemas.Error.properties.error.enum).toContain('insufficient_scope');
  });

  it('names schemas after scopes, with an Item schema for lists', () => {
    expect(schemas.Competences).toEqual({
      type: 'array',
      title: catalog.byId.get('competences')?.title,
      items: { $ref: '#/components/schemas/CompetencesItem' },
    });
    expect(schemas.CompetencesItem.type).toBe('object');
    expect(schemas.Statut.type).toBe('object');
    expect(schemas.Projet.properties.metiersRecherches.items.properties.codeRome.type).toBe('string');
  });

  it('marks no property of a data schema as required, since unconsented keys are absent', () => {
    for (const scope of catalog.dataScopes) {
      const name = schemaName(scope.id);
      expect(findRequired(schemas[name])).toEqual([]);
      if (scope.shape === 'list') expect(findRequired(schemas[`${name}Item`])).toEqual([]);
    }
  });

  it('carries the French texts, the sensitivity flag and JSON Schema types on every property', () => {
    for (const scope of catalog.dataScopes) {
      const object = schemas[scope.shape === 'list' ? `${schemaName(scope.id)}Item` : schemaName(scope.id)];
      expect(object.additionalProperties).toBe(false);
      expect(Object.keys(object.properties)).toEqual(scope.fields.map((f) => f.id));
      for (const field of scope.fields) {
        const prop = object.properties[field.id];
        expect(prop.title).toBe(field.label);
        expect(prop.description).toBe(field.description);
        expect(prop['x-sensitive']).toBe(field.sensitive ? true : undefined);
      }
    }
    const statut = schemas.Statut.properties;
    expect(statut.dateInscription).toMatchObject({ type: ['string', 'null'], format: 'date' });
    expect(statut.categorieInscription.enum).toEqual(['A', 'B', 'C', 'D', 'E', null]);
    expect(schemas.Indemnisation.properties.beneficiaireAssuranceChomage['x-sensitive']).toBe(true);
    expect(schemas.FormationsItem.properties.anneeFin.type).toEqual(['integer', 'null']);
  });

  it('publishes examples that the value schemas accept', () => {
    for (const scope of catalog.dataScopes) {
      const object = schemas[scope.shape === 'list' ? `${schemaName(scope.id)}Item` : schemaName(scope.id)];
      const item = Object.fromEntries(
        Object.entries(object.properties as Obj).map(([k, p]) => [k, (p as Obj).examples[0]]),
      );
      expect(accepts(scope, scope.shape === 'list' ? [item] : item)).toBe(true);
    }
  });

  it('describes the consent endpoint', () => {
    const op = paths['/v1/consent'].get;
    expect(op.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/Consent');
    expect(Object.keys(schemas.Consent.properties)).toEqual([
      'client_id',
      'fields',
      'granted_at',
      'expires_at',
    ]);
    expect(schemas.Consent.properties.fields.items.enum).toContain('competences.code');
  });
});
