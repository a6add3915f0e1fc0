// The Emploi Store's recommendation rule, as pure functions: which traits a profile yields, when a
// jobseeker is in an app's declared audience (and the reasons said), and the ranking — checked over a
// synthetic population: sound and complete, ordered by criteria matched, blind to everything but an
// app's id and audience (no name, operator or payment can move it), independent of input order,
// deterministic, and fair to ties (each app of a tie leads exactly once every n days).
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';
import { demoJobseekers } from '../../src/demo/demo-jobseekers.ts';
import {
  type Audience,
  audienceSchema,
  audienceVocabulary,
  criteriaCount,
} from '../../src/store/audience.ts';
import { type JobseekerTraits, jobseekerTraits } from '../../src/store/jobseeker-traits.ts';
import { dayNumber, matchAudience, type RecommendableApp, recommend } from '../../src/store/recommend.ts';
import { REGIONS, regionOfPostcode } from '../../src/store/regions.ts';

const catalog = loadCatalog(fileURLToPath(new URL('../../scopes', import.meta.url)));
const labels = audienceVocabulary(catalog);
const RUNS = { numRuns: 300 };
const marie = demoJobseekers[0] as (typeof demoJobseekers)[number];

describe('jobseekerTraits', () => {
  it('reads target jobs, area, status, diploma, contracts, availability and skills from a profile', () => {
    const traits = jobseekerTraits(marie.data as Record<string, unknown>, marie.claims);
    expect(traits).toEqual({
      targetJobs: [
        { code: 'D1502', label: 'Management/gestion de rayon produits alimentaires' },
        { code: 'D1106', label: 'Vente en alimentation' },
      ],
      region: { code: '84', from: 'zone' },
      status: 'A',
      trainingLevel: 'bac_plus_2',
      contractTypes: ['CDI', 'CDD'],
      availableNow: true,
      skills: [
        { code: '100211', label: 'Accueillir une clientèle' },
        { code: '120558', label: 'Gérer un stock' },
        { code: '300122', label: 'Sens du service' },
      ],
    });
  });

  it('falls back to the address for the region, says non_inscrit, and keeps only diplomas obtained', () => {
    const traits = jobseekerTraits(
      {
        statut: { codeStatutIndividu: '0', categorieInscription: null },
        projet: { zoneRecherche: { libelle: 'Toute la France', codePostal: null } },
        formations: [
          { niveau: 'bac_plus_5', diplomeObtenu: false },
          { niveau: 'bac', diplomeObtenu: true },
        ],
      },
      { address: { postal_code: '35000' } },
    );
    expect(traits).toMatchObject({
      region: { code: '53', from: 'address' },
      status: 'non_inscrit',
      trainingLevel: 'bac',
    });
    expect(jobseekerTraits({})).toEqual({ targetJobs: [], contractTypes: [], skills: [] });
  });

  it('never throws, whatever the stored data looks like', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.dictionary(fc.string(), fc.jsonValue()),
        (data, claims) => {
          jobseekerTraits(data, claims);
        },
      ),
      RUNS,
    );
  });

  it('maps postcodes to regions, overseas and Corsica included', () => {
    expect(regionOfPostcode('69003')).toBe('84');
    expect(regionOfPostcode('75015')).toBe('11');
    expect(regionOfPostcode('97411')).toBe('04');
    expect(regionOfPostcode('20000')).toBe('94');
    expect(regionOfPostcode('6900')).toBeUndefined();
    expect(regionOfPostcode(69003)).toBeUndefined();
  });
});

describe('audienceSchema', () => {
  const schema = audienceSchema(catalog);
  it('normalises codes, drops empty criteria, and makes an empty audience null', () => {
    expect(schema.parse({ rome: ['d1106', 'D11', 'D1106'], regions: [], available_now: false })).toEqual({
      rome: ['D11', 'D1106'],
    });
    expect(schema.parse({})).toBeNull();
    expect(schema.parse(null)).toBeNull();
  });
  it('accepts only the catalog’s vocabulary', () => {
    for (const bad of [
      { rome: ['D110'] },
      { statuses: ['Z'] },
      { regions: ['99'] },
      { contract_types: ['STAGE'] },
      { age: [30] },
    ]) {
      expect(schema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(
      schema.parse({ statuses: ['non_inscrit'], training_levels: ['cap_bep'], contract_types: ['MIS'] }),
    ).toBeTruthy();
  });
});

describe('matchAudience', () => {
  const traits = jobseekerTraits(marie.data as Record<string, unknown>, marie.claims);
  it('needs every declared criterion, any one value within a criterion, and says why', () => {
    expect(matchAudience(traits, { rome: ['K', 'D11'] }, labels)).toEqual([
      'Parce que vous recherchez un emploi « Vente en alimentation » (D1106)',
    ]);
    expect(matchAudience(traits, { rome: ['D11'], regions: ['11'] }, labels)).toBeUndefined();
    expect(
      matchAudience(
        traits,
        { contract_types: ['CDD', 'MIS'], available_now: true, skills: ['120558'] },
        labels,
      ),
    ).toEqual([
      'Parce que vous acceptez ce type de contrat : CDD (contrat à durée déterminée)',
      'Parce que vous êtes disponible tout de suite',
      'Parce que vous avez la compétence « Gérer un stock »',
    ]);
    expect(matchAudience(traits, { training_levels: ['bac_plus_2'], statuses: ['A'] }, labels)).toEqual([
      'Parce que votre situation est : Catégorie A : sans emploi, vous cherchez un emploi',
      'Parce que votre plus haut diplôme est : Bac + 2 (BTS, DUT…)',
    ]);
    // An unknown trait never matches a criterion that needs it.
    expect(matchAudience(jobseekerTraits({}), { training_levels: ['bac'] }, labels)).toBeUndefined();
    expect(matchAudience(traits, {}, labels)).toBeUndefined();
  });
});

// A synthetic population: jobseekers and apps drawn from the same small vocabularies, so that matches
// and ties are frequent.
const ROME = ['D1106', 'D1502', 'K2111', 'M1607', 'N4101', 'H2909'];
const REGION_CODES = Object.keys(REGIONS);
const STATUSES = ['A', 'B', 'C', 'D', 'E', 'non_inscrit'];
const LEVELS = labels.trainingLevels.values;
const CONTRACTS = labels.contractTypes.values;
const SKILLS = ['100211', '120558', '300122', '104533'];

const traitsArb: fc.Arbitrary<JobseekerTraits> = fc.record({
  targetJobs: fc
    .subarray(ROME, { maxLength: 3 })
    .map((codes) => codes.map((code) => ({ code, label: `Métier ${code}` }))),
  region: fc.option(
    fc.record({
      code: fc.constantFrom(...REGION_CODES),
      from: fc.constantFrom('zone' as const, 'address' as const),
    }),
    { nil: undefined },
  ),
  status: fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
  trainingLevel: fc.option(fc.constantFrom(...LEVELS), { nil: undefined }),
  contractTypes: fc.subarray(CONTRACTS),
  availableNow: fc.option(fc.boolean(), { nil: undefined }),
  skills: fc.subarray(SKILLS).map((codes) => codes.map((code) => ({ code, label: `Compétence ${code}` }))),
});

const nonEmpty = <T>(values: readonly T[]) => fc.subarray([...values], { minLength: 1, maxLength: 3 });
const audienceArb: fc.Arbitrary<Audience> = fc
  .record(
    {
      rome: nonEmpty([...ROME, 'D', 'D11', 'K21', 'M']),
      regions: nonEmpty(REGION_CODES),
      statuses: nonEmpty(STATUSES),
      training_levels: nonEmpty(LEVELS),
      contract_types: nonEmpty(CONTRACTS),
      available_now: fc.constant(true),
      skills: nonEmpty(SKILLS),
    },
    { requiredKeys: [] },
  )
  .filter((a) => criteriaCount(a) > 0);

const appsArb = fc.uniqueArray(
  fc.record({ id: fc.stringMatching(/^[a-z0-9]{1,8}$/), audience: audienceArb }),
  {
    selector: (a) => a.id,
    maxLength: 12,
  },
);
const dayArb = fc.integer({ min: 0, max: 40_000 });

/** A person in this audience: the first value of each criterion. */
function personMatching(a: Audience): JobseekerTraits {
  const rome = a.rome?.[0];
  return {
    targetJobs: rome ? [{ code: rome.padEnd(5, '0'), label: 'Métier' }] : [],
    region: a.regions ? { code: a.regions[0] as string, from: 'zone' } : undefined,
    status: a.statuses?.[0],
    trainingLevel: a.training_levels?.[0],
    contractTypes: a.contract_types?.slice(0, 1) ?? [],
    availableNow: a.available_now,
    skills: a.skills ? [{ code: a.skills[0] as string, label: 'Compétence' }] : [],
  };
}

describe('recommend, over a synthetic population', () => {
  it('is sound and complete: exactly the apps whose whole audience matches, each with its reasons', () => {
    fc.assert(
      fc.property(traitsArb, appsArb, dayArb, (traits, apps, day) => {
        const result = recommend(traits, apps, { day, labels });
        const expected = apps.filter((a) => matchAudience(traits, a.audience, labels)).map((a) => a.id);
        expect(result.map((r) => r.id).sort()).toEqual(expected.sort());
        for (const r of result) {
          const app = apps.find((a) => a.id === r.id) as RecommendableApp;
          expect(r.reasons).toEqual(matchAudience(traits, app.audience, labels));
          expect(r.reasons).toHaveLength(criteriaCount(app.audience));
        }
      }),
      RUNS,
    );
  });

  it('ranks by criteria matched, most first', () => {
    fc.assert(
      fc.property(traitsArb, appsArb, dayArb, (traits, apps, day) => {
        const counts = recommend(traits, apps, { day, labels }).map((r) => r.reasons.length);
        expect(counts).toEqual([...counts].sort((a, b) => b - a));
      }),
      RUNS,
    );
  });

  it('is deterministic and ignores the order apps come in', () => {
    fc.assert(
      fc.property(traitsArb, appsArb, dayArb, fc.integer(), (traits, apps, day, seed) => {
        const shuffled = [...apps].sort(
          (a, b) => ((a.id.charCodeAt(0) * seed) % 7) - ((b.id.charCodeAt(0) * seed) % 7),
        );
        expect(recommend(traits, shuffled, { day, labels })).toEqual(
          recommend(traits, apps, { day, labels }),
        );
      }),
      RUNS,
    );
  });

  it('sees nothing but an app’s id and audience: a name, an operator or a payment changes nothing', () => {
    fc.assert(
      fc.property(
        traitsArb,
        appsArb,
        dayArb,
        fc.array(fc.record({ name: fc.string(), operator: fc.string(), paid: fc.nat() })),
        (traits, apps, day, extras) => {
          const dressed = apps.map((a, i) => ({ ...a, ...(extras[i] ?? { paid: 1_000_000 }) }));
          expect(recommend(traits, dressed, { day, labels })).toEqual(
            recommend(traits, apps, { day, labels }),
          );
        },
      ),
      RUNS,
    );
  });

  it('rotates ties: over n days each app of an n-way tie holds each place exactly once', () => {
    // n apps declaring the same audience, and a person built to match it: an n-way tie, among others.
    const tieArb = fc.record({
      audience: audienceArb,
      ids: fc.uniqueArray(fc.stringMatching(/^t[a-z0-9]{1,6}$/), { minLength: 2, maxLength: 7 }),
      others: appsArb,
      start: dayArb,
    });
    fc.assert(
      fc.property(tieArb, ({ audience, ids, others, start }) => {
        const person = personMatching(audience);
        // The others must not join the tie: an app this person matches on as many criteria would make
        // it an (n+1)-way tie, rotating over n+1 days.
        const score = (app: (typeof others)[number]) =>
          recommend(person, [app], { day: start, labels })[0]?.reasons.length;
        const tieScore = score({ id: ids[0] as string, audience });
        const apart = others.filter((o) => !ids.includes(o.id) && score(o) !== tieScore);
        const apps = [...ids.map((id) => ({ id, audience })), ...apart];
        const n = ids.length;
        const places = new Map(ids.map((id) => [id, new Set<number>()]));
        for (let d = 0; d < n; d++) {
          const tie = recommend(person, apps, { day: start + d, labels })
            .filter((r) => ids.includes(r.id))
            .map((r) => r.id);
          expect(tie).toHaveLength(n);
          for (const [place, id] of tie.entries()) places.get(id)?.add(place);
        }
        for (const seen of places.values()) expect(seen.size).toBe(n);
      }),
      RUNS,
    );
  });

  it('across a population of 2,000 people and 30 days, equally specific apps lead equally often', () => {
    // Five apps with one criterion each that every generated person matches (statuses: all of them).
    const apps = ['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((id) => ({
      id,
      audience: { statuses: STATUSES },
    }));
    const people = fc.sample(
      traitsArb.map((t) => ({ ...t, status: 'A' })),
      { numRuns: 2000, seed: 15 },
    );
    const leads = new Map<string, number>();
    for (let day = 0; day < 30; day++) {
      for (const person of people) {
        const lead = recommend(person, apps, { day, labels })[0]?.id as string;
        leads.set(lead, (leads.get(lead) ?? 0) + 1);
      }
    }
    expect([...leads.values()]).toEqual([12_000, 12_000, 12_000, 12_000, 12_000]);
  });

  it('steps once a day, in UTC', () => {
    expect(dayNumber(new Date('2026-12-07T23:59:59Z')) + 1).toBe(dayNumber(new Date('2026-12-08T00:00:00Z')));
  });
});
