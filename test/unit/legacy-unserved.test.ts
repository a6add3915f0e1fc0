// Known Pôle emploi Connect scopes of APIs not served here (scopes/legacy-unserved.yaml, PECONNECT.md
// §3): accepted, granted to no one, never echoed; the file is checked at start-up like a scope file;
// and the token answer's scope in the app's own words (legacy-authorization.ts legacyScopeEcho).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CatalogError, loadCatalog } from '../../src/catalog/load-catalog.ts';
import { legacyScopeEcho } from '../../src/legacy/legacy-authorization.ts';

const catalog = loadCatalog(fileURLToPath(new URL('../../scopes', import.meta.url)));

// Verbatim from PECONNECT.md §3.
const PASS_EMPLOI =
  'application_PAR_passemploi_0a api_peconnect-individuv1 openid profile email api_peconnect-coordonneesv1 individu api_peconnect-conseillersv1 api_peconnect-demarchesv1 demarches demarchesW api_peconnect-rendezvousagendav1 prdvl api_peconnect-gerer-prestationsv1 prestationDE coordonnees';
const PIX =
  'application_PAR_pix_0a api_peconnect-individuv1 openid profile serviceDigitauxExposition api_peconnect-servicesdigitauxv1';
const AVRIL =
  'application_PAR_avril_0a api_peconnect-individuv1 openid profile email api_peconnect-datenaissancev1 datenaissance api_peconnect-formationsv1 pfcformations api_peconnect-experiencesprofessionellesdeclareesparlemployeurv1 passeprofessionnel api_peconnect-experiencesv1 pfcexperiences api_peconnect-coordonneesv1 coordonnees api_peconnect-competencesv2 pfccompetences pfclangues pfccentresinteret';

describe('the shipped list of unserved names', () => {
  it.each([
    ['pass emploi', PASS_EMPLOI, 'PAR_passemploi_0a', ['demarches', 'demarchesW', 'prdvl', 'prestationDE']],
    ['Pix', PIX, 'PAR_pix_0a', ['serviceDigitauxExposition', 'api_peconnect-servicesdigitauxv1']],
    ['Avril', AVRIL, 'PAR_avril_0a', ['pfccentresinteret', 'passeprofessionnel']],
  ])('%s: its string verbatim is accepted, the unserved names release nothing', (_app, scope, id, names) => {
    const r = catalog.resolveScopes(scope, id);
    expect(r.unknown).toEqual([]);
    expect(r.ignored).toEqual(expect.arrayContaining(names));
    const without = catalog.resolveScopes(
      scope
        .split(' ')
        .filter((s) => !names.includes(s))
        .join(' '),
      id,
    );
    expect(r.scopes).toEqual(without.scopes);
    expect(r.fields).toEqual(without.fields);
  });

  it('is a list, not a pattern: an unknown name of the same look is still unknown', () => {
    expect(catalog.resolveScopes('openid api_peconnect-inventev1 demarchesX').unknown).toEqual([
      'api_peconnect-inventev1',
      'demarchesX',
    ]);
  });
});

describe('the token answer’s scope in the app’s words', () => {
  it('names only strings the app sent whose catalog scopes were granted', () => {
    // pass emploi, granted the name and email but not the address nor the advisers.
    const echo = legacyScopeEcho(catalog, PASS_EMPLOI, 'openid offline_access profile email');
    expect(echo.split(' ')).toEqual([
      'api_peconnect-individuv1',
      'openid',
      'profile',
      'email',
      'coordonnees',
    ]);
  });

  it('leaves out application_, qos_*, unserved names and permissions the app did not send', () => {
    const echo = legacyScopeEcho(
      catalog,
      `${PIX} qos_silver_peconnect-individuv1`,
      'openid offline_access profile',
    );
    expect(echo).toBe('api_peconnect-individuv1 openid profile');
    expect(legacyScopeEcho(catalog, 'openid profile offline_access', 'openid offline_access profile')).toBe(
      'openid profile offline_access',
    );
  });

  it('a technical scope is echoed when one scope of its API was granted', () => {
    expect(legacyScopeEcho(catalog, 'openid api_peconnect-formationsv1 pfcpermis', 'openid permis')).toBe(
      'openid api_peconnect-formationsv1 pfcpermis',
    );
    expect(legacyScopeEcho(catalog, 'openid api_peconnect-formationsv1 pfcpermis', 'openid')).toBe('openid');
  });
});

describe('legacy-unserved.yaml is checked at start-up', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const competences = {
    id: 'competences',
    order: 2,
    kind: 'data',
    shape: 'list',
    title: 'Titre',
    explanation: 'Explication.',
    fields: [{ id: 'code', label: 'L', description: 'D.', sensitive: false, type: 'string' }],
    legacy: { scopes: ['pfccompetences'], technical_scopes: ['api_peconnect-competencesv2'] },
  };
  const openid = {
    ...competences,
    id: 'openid',
    order: 1,
    kind: 'oidc',
    shape: 'claims',
    fields: [{ ...competences.fields[0], id: 'sub' }],
    legacy: undefined,
  };
  function load(unserved: unknown) {
    const dir = mkdtempSync(join(tmpdir(), 'pec-unserved-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'openid.yaml'), stringify(openid));
    writeFileSync(join(dir, 'competences.yaml'), stringify(competences));
    writeFileSync(join(dir, 'legacy-unserved.yaml'), stringify(unserved));
    return loadCatalog(dir);
  }
  const loadError = (unserved: unknown) => {
    try {
      load(unserved);
    } catch (err) {
      expect(err).toBeInstanceOf(CatalogError);
      return (err as Error).message;
    }
    throw new Error('expected loadCatalog to throw');
  };

  it('is read beside the scope files, not as one of them', () => {
    const c = load({ unserved: [{ name: 'demarches', spec: '§3, §4.15' }] });
    expect(c.scopes.map((s) => s.id)).toEqual(['openid', 'competences']);
    expect(c.resolveScopes('openid demarches').ignored).toEqual(['demarches']);
  });

  it.each([
    ['a name without its spec section', { unserved: [{ name: 'demarches' }] }, 'unserved.0.spec'],
    [
      'a spec that is not a section',
      { unserved: [{ name: 'x', spec: 'PEA' }] },
      'must name the PECONNECT.md section',
    ],
    ['a misspelt key', { unserved: [{ nom: 'x', spec: '§3' }] }, 'legacy-unserved.yaml'],
    ['a pattern', { unserved: [{ name: 'qos_*', spec: '§3' }] }, 'must be a scope name'],
    [
      'a duplicate',
      {
        unserved: [
          { name: 'x', spec: '§3' },
          { name: 'x', spec: '§3' },
        ],
      },
      'names must be unique',
    ],
    ['a served legacy name', { unserved: [{ name: 'pfccompetences', spec: '§3' }] }, 'is served'],
    [
      'a served technical name',
      { unserved: [{ name: 'api_peconnect-competencesv2', spec: '§3' }] },
      'is served',
    ],
    ['a catalog id', { unserved: [{ name: 'competences', spec: '§3' }] }, 'is served'],
  ])('refuses %s, naming the file', (_case, unserved, message) => {
    const error = loadError(unserved);
    expect(error).toContain('legacy-unserved.yaml');
    expect(error).toContain(message);
  });
});
