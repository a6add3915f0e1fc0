// Property: for random mandates, what an advisor is shown — the lent data, its sections and the
// diagnosis — uses no field outside the mandate. Every value of every field outside it is replaced by
// a marker (and by other random values): the output must not change, must hold no marker, and every
// source a diagnosis point names must be within the mandate. The diagnosis is even given the whole
// profile, not the lent data: it must still read nothing outside the mandate.
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/advisors/diagnosis.ts';
import { lentData, lentSections } from '../../src/advisors/lent-data.ts';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';
import { demoJobseekers } from '../../src/demo/demo-jobseekers.ts';

const catalog = loadCatalog(fileURLToPath(new URL('../../scopes', import.meta.url)));
const OFFERED = [
  'projet',
  'competences',
  'experiences',
  'formations',
  'langues',
  'permis',
  'statut',
  'indemnisation',
];
const keys = catalog.dataScopes
  .filter((s) => OFFERED.includes(s.id))
  .flatMap((s) => s.fields.map((f) => `${s.id}.${f.id}`));
const MARK = 'ZQXMARK';
// A marker that would also match every demo target job, were a field outside the mandate ever read.
const BAIT = `${MARK} vente alimentation rayon management études développement informatique`;

type Data = Record<string, unknown>;

// Replaces the value of every field outside `mandate` by `replace(key)`, in objects and list items.
function outside(data: Data, mandate: ReadonlySet<string>, replace: (key: string) => unknown): Data {
  const out: Data = {};
  for (const [scopeId, value] of Object.entries(data)) {
    const swap = (item: unknown) =>
      item && typeof item === 'object'
        ? Object.fromEntries(
            Object.entries(item as Data).map(([f, v]) => {
              const key = `${scopeId}.${f}`;
              return [f, mandate.has(key) ? v : replace(key)];
            }),
          )
        : item;
    out[scopeId] = Array.isArray(value) ? value.map(swap) : swap(value);
  }
  return out;
}

const profiles = demoJobseekers.map((j) => j.data as Data);

describe('advisor pages use no field outside the mandate', () => {
  it('for random mandates and random values outside them', () => {
    fc.assert(
      fc.property(
        fc.subarray(keys),
        fc.constantFrom(...profiles),
        fc.func(
          fc.oneof(
            fc.constant(BAIT),
            fc.string(),
            fc.integer(),
            fc.constant(null),
            fc.array(fc.constant(BAIT)),
            fc.constant([{ libelle: BAIT, codeRome: MARK }]),
          ),
        ),
        (fields, profile, noise) => {
          const mandate = new Set(catalog.withTravellers(fields));
          const list = [...mandate];
          const marked = outside(profile, mandate, () => BAIT);
          const noisy = outside(profile, mandate, (key) => noise(key));
          const a = lentData(catalog, list, marked);
          const b = lentData(catalog, list, noisy);
          expect(b.lent).toEqual(a.lent);
          expect(b.reads).toEqual(a.reads);
          const sections = lentSections(catalog, list, a.lent);
          const diagnosis = diagnose(catalog, mandate, a.lent);
          // Given the whole marked profile rather than the lent data, the diagnosis is the same.
          expect(diagnose(catalog, mandate, marked)).toEqual(diagnosis);
          expect(diagnose(catalog, mandate, noisy)).toEqual(diagnosis);
          const shown = JSON.stringify({ sections, diagnosis });
          expect(shown).not.toContain(MARK);
          for (const point of diagnosis) for (const key of point.sources) expect(mandate.has(key)).toBe(true);
          for (const read of a.reads)
            for (const f of read.fields) expect(mandate.has(`${read.scope}.${f}`)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('says « non partagé » for what the mandate does not cover, never a guess', () => {
    const diagnosis = diagnose(
      catalog,
      new Set(['competences.libelle']),
      lentData(catalog, ['competences.libelle'], profiles[0] as Data).lent,
    );
    const coherence = diagnosis.find((p) => p.id === 'coherence');
    expect(coherence?.status).toBe('not_shared');
    expect(coherence?.lines.join(' ')).toContain('Non partagé');
    const empty = diagnose(catalog, new Set(), {});
    expect(empty.every((p) => p.sources.length === 0)).toBe(true);
  });
});
