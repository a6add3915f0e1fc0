// The legacy APIs' declarations in the scope files (legacy.apis) and their join with the mappings:
// a mistake in either stops the start, naming the file.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CatalogError, loadCatalog } from '../../src/catalog/load-catalog.ts';
import { legacyApis } from '../../src/legacy-api/legacy-apis.ts';

const SCOPES = fileURLToPath(new URL('../../scopes', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The shipped catalog with one file's text changed. */
function catalogWith(file: string, change: (yaml: string) => string) {
  const dir = mkdtempSync(join(tmpdir(), 'pec-legacy-apis-'));
  dirs.push(dir);
  cpSync(SCOPES, dir, { recursive: true });
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
  return dir;
}

describe('legacy.apis in the scope files', () => {
  it('refuses a field the file does not have, naming it', () => {
    const dir = catalogWith('statut.yaml', (y) =>
      y.replace('fields: [codeStatutIndividu, libelleStatutIndividu]', 'fields: [codeStatutIndividu, nope]'),
    );
    expect(() => loadCatalog(dir)).toThrow(CatalogError);
    expect(() => loadCatalog(dir)).toThrow(
      /statut\.yaml: legacy\.apis\[0\]\.fields\[1\]: "nope" is not a field/,
    );
  });

  it('refuses a path that is not under peconnect-…/v<n>/', () => {
    const dir = catalogWith('statut.yaml', (y) =>
      y.replace('path: peconnect-statut/v1/statut', 'path: /statut'),
    );
    expect(() => loadCatalog(dir)).toThrow(/legacy\.apis\[0\]\.path: must be a path under \/partenaire/);
  });

  it('stops when a mapped path is declared nowhere, or files disagree on its technical scope', () => {
    const undeclared = loadCatalog(
      catalogWith('statut.yaml', (y) => y.replace(/ {2}# Les API historiques[\s\S]*$/, '')),
    );
    expect(() => legacyApis(undeclared)).toThrow(/peconnect-statut\/v1\/statut: no scope file declares it/);
    const disagreeing = loadCatalog(
      catalogWith('email.yaml', (y) =>
        y.replace(
          'path: peconnect-coordonnees/v1/coordonnees\n      technical_scope: api_peconnect-coordonneesv1',
          'path: peconnect-coordonnees/v1/coordonnees\n      technical_scope: api_peconnect-autrev1',
        ),
      ),
    );
    expect(() => legacyApis(disagreeing)).toThrow(/is api_peconnect-autrev1 here but/);
  });

  it('stops when a data API names a field of another scope', () => {
    const dir = catalogWith(
      'langues.yaml',
      (y) =>
        `${y}    - path: peconnect-competences/v2/competences\n      technical_scope: api_peconnect-competencesv2\n      fields: [code]\n`,
    );
    expect(() => legacyApis(loadCatalog(dir))).toThrow(/reads competences, not langues\.code/);
  });
});
