// The Pôle emploi Connect vocabulary in the catalog: each scope file's `legacy:` block, the union of
// files naming one legacy scope, and the resolution of real apps' scope strings (PECONNECT.md §3).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CatalogError, loadCatalog } from '../../src/catalog/load-catalog.ts';

const catalog = loadCatalog(fileURLToPath(new URL('../../scopes', import.meta.url)));

// Verbatim from PECONNECT.md §3 (application_<id> filled in with the app's own id).
const ITOU =
  'openid api_peconnect-individuv1 email profile api_peconnect-coordonneesv1 coordonnees api_peconnect-statutv1 statut api_peconnect-datenaissancev1 datenaissance api_peconnect-indemnisationsv1 indemnisation api_peconnect-formationsv1 pfcformations pfcpermis';
const AVRIL =
  'application_PAR_avril_0a1b api_peconnect-individuv1 openid profile email api_peconnect-datenaissancev1 datenaissance api_peconnect-formationsv1 pfcformations api_peconnect-experiencesv1 pfcexperiences api_peconnect-coordonneesv1 coordonnees api_peconnect-competencesv2 pfccompetences pfclangues';

describe('the legacy names of the shipped catalog', () => {
  it('unions the files that name one legacy scope', () => {
    expect(catalog.legacy.scopes.get('coordonnees')).toEqual(['email', 'phone', 'address']);
    expect(catalog.legacy.scopes.get('pfccompetences')).toEqual(['competences']);
    expect(catalog.legacy.technicalScopes.has('api_peconnect-formationsv1')).toBe(true);
  });

  it("resolves les emplois de l'inclusion's scopes to catalog blocks, technical scopes released nothing", () => {
    const r = catalog.resolveScopes(ITOU);
    expect(r.scopes).toEqual([
      'openid',
      'profile',
      'email',
      'phone',
      'address',
      'statut',
      'indemnisation',
      'permis',
      'formations',
    ]);
    expect(r.unknown).toEqual([]);
    expect(r.legacy).toBe(true);
    expect(r.ignored).toContain('api_peconnect-statutv1');
    expect(r.fields).toContain('address.address');
    expect(r.fields).not.toContain('competences.code');
  });

  it('accepts application_<its own id> and qos_* tiers, and refuses another app’s id', () => {
    const own = catalog.resolveScopes(`${AVRIL} qos_silver_peconnect-individuv1`, 'PAR_avril_0a1b');
    expect(own.unknown).toEqual([]);
    expect(own.ignored).toEqual(
      expect.arrayContaining(['application_PAR_avril_0a1b', 'qos_silver_peconnect-individuv1']),
    );
    expect(own.scopes).toEqual(expect.arrayContaining(['competences', 'langues', 'experiences']));
    expect(catalog.resolveScopes(AVRIL, 'PAR_other_ff').unknown).toEqual(['application_PAR_avril_0a1b']);
  });

  it('gives the same blocks for either vocabulary, and leaves native requests as they were', () => {
    expect(catalog.resolveScopes('openid pfccompetences pfclangues').scopes).toEqual(
      catalog.resolveScopes('openid competences langues').scopes,
    );
    const native = catalog.resolveScopes('openid profile competences offline_access');
    expect(native).toMatchObject({
      scopes: ['openid', 'profile', 'competences'],
      permissions: ['offline_access'],
      legacy: false,
    });
    expect(catalog.resolveScopes('openid api_inconnuv1 bogus').unknown).toEqual(['api_inconnuv1', 'bogus']);
  });
});

describe('the legacy block is checked like the rest of a scope file', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const scopeFile = (id: string, order: number, legacy?: unknown) => ({
    id,
    order,
    kind: id === 'openid' ? 'oidc' : 'data',
    shape: id === 'openid' ? 'claims' : 'list',
    title: 'Titre',
    explanation: 'Explication.',
    fields: [
      {
        id: id === 'openid' ? 'sub' : 'code',
        label: 'L',
        description: 'D.',
        sensitive: false,
        type: 'string',
      },
    ],
    ...(legacy === undefined ? {} : { legacy }),
  });
  function loadError(legacy: unknown, other?: unknown): string {
    const dir = mkdtempSync(join(tmpdir(), 'pec-legacy-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'openid.yaml'), stringify(scopeFile('openid', 1)));
    writeFileSync(join(dir, 'competences.yaml'), stringify(scopeFile('competences', 2, legacy)));
    if (other !== undefined)
      writeFileSync(join(dir, 'langues.yaml'), stringify(scopeFile('langues', 3, other)));
    try {
      loadCatalog(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(CatalogError);
      return (err as Error).message;
    }
    throw new Error('expected loadCatalog to throw');
  }

  it.each([
    ['a misspelt key', { scope: ['x'] }, 'competences.yaml: legacy.scope: Unknown key'],
    [
      'a technical name under scopes',
      { scopes: ['api_peconnect-x1'] },
      'legacy.scopes[0]: api_* names are technical',
    ],
    [
      'a malformed technical name',
      { technical_scopes: ['peconnect'] },
      'legacy.technical_scopes[0]: must be api_',
    ],
    ['application_* declared', { scopes: ['application_x'] }, 'legacy.scopes[0]: application_* and qos_*'],
    ['a duplicate name', { scopes: ['pfc', 'pfc'] }, 'legacy.scopes: names must be unique'],
    ['an empty list', { scopes: [] }, 'legacy.scopes:'],
  ])('refuses %s, naming the file and the field', (_case, legacy, message) => {
    expect(loadError(legacy)).toContain(message);
  });

  it("refuses a legacy name that is another file's scope id", () => {
    expect(loadError({ scopes: ['langues'] }, { scopes: ['pfclangues'] })).toMatch(
      /competences\.yaml: legacy\.scopes\[0\]: "langues" is the id of the scope in .*langues\.yaml/,
    );
  });
});
