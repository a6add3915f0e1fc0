// Property: for random mandates, what an advisor is shown — the lent data, its sections and the
// diagnosis — uses no field outside the mandate. Every value of every field outside it is replaced by
// a marker (and by other random values): the output must not change, must hold no marker, and every
// source a diagnosis point names must be within the mandate. The diagnosis is even given the whole
// profile, not the lent data: it must still read nothing outside the mandate.
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CRITERION_FIELDS, type SuggestableApp, suggestApps } from '../../src/advisors/app-suggestions.ts';
import { diagnose } from '../../src/advisors/diagnosis.ts';
import { lentData, lentSections } from '../../src/advisors/lent-data.ts';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';
import { demoJobseekers } from '../../src/demo/demo-jobseekers.ts';
import { regionOfPostcode } from '../../src/store/regions.ts';

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

// The app suggestions (app-suggestions.ts): one app per audience criterion, each matched only by a
// bait value that sits outside the mandate. Were any unmandated field read, a bait app would be
// suggested (or a source outside the mandate named), and the result would differ from the same
// profile with random values there.
const BAIT_REGION = regionOfPostcode('97100') as string;
const BAITS: Record<string, unknown> = {
  'projet.metiersRecherches': [{ codeRome: 'Z1234', libelle: MARK }],
  'projet.zoneRecherche': { codePostal: '97100', rayonKm: 10 },
  'projet.typesContrat': ['SAI'],
  'projet.disponibilite': { immediate: true },
  'statut.codeStatutIndividu': '0',
  'statut.categorieInscription': 'E',
  'formations.niveau': 'doctorat',
  'formations.diplomeObtenu': true,
  'competences.code': 'ZQX1',
  'competences.libelle': MARK,
};
const BAIT_APPS: SuggestableApp[] = [
  { id: 'bait-rome', name: 'Appât métier', audience: { rome: ['Z1'] } },
  { id: 'bait-region', name: 'Appât région', audience: { regions: [BAIT_REGION] } },
  { id: 'bait-contract', name: 'Appât contrat', audience: { contract_types: ['SAI'] } },
  { id: 'bait-now', name: 'Appât disponibilité', audience: { available_now: true } },
  { id: 'bait-unregistered', name: 'Appât non inscrit', audience: { statuses: ['non_inscrit'] } },
  { id: 'bait-category', name: 'Appât catégorie', audience: { statuses: ['E'] } },
  { id: 'bait-doctorate', name: 'Appât doctorat', audience: { training_levels: ['doctorat'] } },
  { id: 'bait-skill', name: 'Appât compétence', audience: { skills: ['ZQX1'] } },
];
// The demo profile plus one list item holding ordinary values in the bait fields (formations,
// competences): only the unmandated ones are then turned into baits by `outside`.
const baited = (profile: Data): Data => ({
  ...profile,
  formations: [...((profile.formations as Data[]) ?? []), { intitule: 'Formation', niveau: 'bac' }],
  competences: [...((profile.competences as Data[]) ?? []), { code: 'ORD01', libelle: 'Ordinaire' }],
});
const DAY = 20_000;

describe('app suggestions use no field outside the mandate', () => {
  it('for random mandates, with baits outside them that would make another app match', () => {
    fc.assert(
      fc.property(
        fc.subarray(keys),
        fc.constantFrom(...profiles),
        fc.func(fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant([]))),
        (fields, profile, noise) => {
          const mandate = new Set(catalog.withTravellers(fields));
          const list = [...mandate];
          const marked = outside(baited(profile), mandate, (key) => (key in BAITS ? BAITS[key] : BAIT));
          const noisy = outside(baited(profile), mandate, (key) => noise(key));
          const a = suggestApps(catalog, list, marked, BAIT_APPS, { day: DAY });
          expect(suggestApps(catalog, list, noisy, BAIT_APPS, { day: DAY })).toEqual(a);
          expect(JSON.stringify(a)).not.toContain(MARK);
          for (const item of a.items) for (const key of item.sources) expect(mandate.has(key)).toBe(true);
          // Whatever the mandate covers not at all is said « non partagé », never left out.
          for (const keysOf of Object.values(CRITERION_FIELDS))
            if (!keysOf.some((k) => mandate.has(k)))
              for (const k of keysOf) {
                const found = catalog.field(k);
                expect(a.notShared).toContain(`${found?.scope.title} › ${found?.field.label}`);
              }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the baits are real: with every field shared, each bait app is suggested from its sources', () => {
    const all = [...new Set(catalog.withTravellers(keys))];
    const profile = Object.fromEntries(
      Object.entries(BAITS).reduce<Map<string, Data>>((scopes, [key, value]) => {
        const [scope, field] = key.split('.') as [string, string];
        scopes.set(scope, { ...scopes.get(scope), [field]: value });
        return scopes;
      }, new Map()),
    ) as Data;
    profile.formations = [profile.formations];
    profile.competences = [profile.competences];
    // categorieInscription E and codeStatutIndividu 0 are both baits: 0 wins (non inscrit).
    const { items, notShared } = suggestApps(catalog, all, profile, BAIT_APPS, { day: DAY });
    expect(items.map((i) => i.clientId).sort()).toEqual(
      BAIT_APPS.map((a) => a.id)
        .filter((id) => id !== 'bait-category')
        .sort(),
    );
    expect(notShared).toEqual([]);
    const rome = items.find((i) => i.clientId === 'bait-rome');
    expect(rome?.sources).toEqual(['projet.metiersRecherches']);
    expect(rome?.step).toBe('Utiliser l’application « Appât métier » du catalogue');
    // Turned off, or the app hidden, by the jobseeker in the store: not suggested either.
    expect(suggestApps(catalog, all, profile, BAIT_APPS, { day: DAY, off: true }).items).toEqual([]);
    const hidden = suggestApps(catalog, all, profile, BAIT_APPS, {
      day: DAY,
      hidden: new Set(['bait-rome']),
    });
    expect(hidden.items.map((i) => i.clientId)).not.toContain('bait-rome');
  });
});
