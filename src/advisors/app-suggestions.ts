// Apps of the Emploi Store an advisor may suggest as a plan step (« utiliser l'application X du
// catalogue »), from the store's own recommendation rule (../store/recommend.ts) — but computed only
// from the fields of the live mandate: the profile is cut to the mandate here (lentData), the traits
// are built from that cut and from no claim, so which apps are suggested says nothing of a field
// the jobseeker did not lend. Each suggestion names the lent fields it comes from; the criteria the
// candidate apps use and the mandate does not cover are said « non partagé », never guessed.
//
// The jobseeker's own store choices hold here too: recommendations turned off → no app is suggested
// to the advisor; an app they hid → never suggested. The page says the same thing then as when no
// app matches, so the advisor does not learn those choices either (they are outside the mandate).
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Pool } from '../db/pool.ts';
import { AUDIENCE_CRITERIA, type Audience, audienceVocabulary } from '../store/audience.ts';
import { jobseekerTraits } from '../store/jobseeker-traits.ts';
import { dayNumber, type RecommendableApp, recommend } from '../store/recommend.ts';
import { findStorePreferences, listListedApps } from '../store/store-queries.ts';
import { lentData } from './lent-data.ts';

type Criterion = (typeof AUDIENCE_CRITERIA)[number];

/** The profile fields jobseekerTraits reads for each audience criterion (claims are never given). */
export const CRITERION_FIELDS: Record<Criterion, string[]> = {
  rome: ['projet.metiersRecherches'],
  regions: ['projet.zoneRecherche'],
  statuses: ['statut.codeStatutIndividu', 'statut.categorieInscription'],
  training_levels: ['formations.niveau', 'formations.diplomeObtenu'],
  contract_types: ['projet.typesContrat'],
  available_now: ['projet.disponibilite'],
  skills: ['competences.code', 'competences.libelle'],
};

export interface SuggestableApp extends RecommendableApp {
  name: string;
}

export interface AppSuggestion {
  clientId: string;
  name: string;
  /** the plan step it adds */
  step: string;
  /**
   * the step's details: which kinds of data it came from, never their values — a step outlives the
   * mandate, and the advisor must lose a field's value when the jobseeker narrows it
   */
  details: string;
  /** '<scope>.<field>' keys it comes from: all within the mandate */
  sources: string[];
  sourceLabels: string[];
}

/** Pure: the apps to suggest for these mandated fields, and what the mandate does not cover. */
export function suggestApps(
  catalog: Catalog,
  fields: readonly string[],
  data: Record<string, unknown>,
  apps: readonly SuggestableApp[],
  options: { day: number; off?: boolean; hidden?: ReadonlySet<string> },
): { items: AppSuggestion[]; notShared: string[] } {
  const mandate = new Set(fields);
  const label = (key: string) => {
    const found = catalog.field(key);
    return found ? `${found.scope.title} › ${found.field.label}` : key;
  };
  // Cut again here, whatever the caller passes: nothing outside the mandate reaches the traits.
  const traits = jobseekerTraits(lentData(catalog, fields, data).lent, {});
  const used = (audience: Audience) =>
    AUDIENCE_CRITERIA.filter((c) => audience[c] !== undefined && audience[c] !== false);
  const byId = new Map(apps.map((a) => [a.id, a]));
  // The jobseeker's store choices narrow the candidates only: « non partagé » below is computed over
  // every app, so it does not reveal them.
  const candidates = options.off ? [] : apps.filter((a) => !options.hidden?.has(a.id));
  const items = recommend(traits, candidates, { day: options.day, labels: audienceVocabulary(catalog) }).map(
    (r) => {
      const app = byId.get(r.id) as SuggestableApp;
      const sources = [
        ...new Set(used(app.audience).flatMap((c) => CRITERION_FIELDS[c].filter((k) => mandate.has(k)))),
      ];
      return {
        clientId: app.id,
        name: app.name,
        step: `Utiliser l’application « ${app.name} » du catalogue`,
        details: `Suggérée d’après : ${sources.map(label).join(' ; ')}.`.slice(0, 1000),
        sources,
        sourceLabels: sources.map(label),
      };
    },
  );
  // A criterion some app needs and the mandate covers not at all: it could make another app match.
  const needed = new Set(apps.flatMap((a) => used(a.audience)));
  const notShared = AUDIENCE_CRITERIA.filter(
    (c) => needed.has(c) && !CRITERION_FIELDS[c].some((k) => mandate.has(k)),
  ).flatMap((c) => CRITERION_FIELDS[c].map(label));
  return { items, notShared: [...new Set(notShared)] };
}

/** Reads the store (listed apps with a vetted audience, the jobseeker's choices), then suggestApps. */
export function createAppSuggestions(deps: { pool: Pool; catalog: Catalog; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    async forMandate(jobseekerId: string, fields: readonly string[], data: Record<string, unknown>) {
      const [prefs, listed] = await Promise.all([
        findStorePreferences(deps.pool, jobseekerId),
        listListedApps(deps.pool),
      ]);
      const apps = listed.flatMap((a) =>
        a.audience && a.audience_vetted ? [{ id: a.id, name: a.name, audience: a.audience }] : [],
      );
      return suggestApps(deps.catalog, fields, data, apps, {
        day: dayNumber(now()),
        off: prefs.recommendations_off,
        hidden: new Set(prefs.hidden_client_ids),
      });
    },
  };
}

export type AppSuggestions = ReturnType<typeof createAppSuggestions>;
