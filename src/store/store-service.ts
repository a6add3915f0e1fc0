// The Emploi Store: the public catalog of active apps, and recommendations for a signed-in jobseeker.
// Recommendations are computed here, on each page view, from the jobseeker's own profile (read from
// our database, as « Mes données » does) and each app's vetted audience: nothing is sent to any app,
// nothing enters the access log (no app read anything), and nothing records who saw what — only the
// jobseeker's own choices (recommendations off, an app hidden) are stored.
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Pool } from '../db/pool.ts';
import { findAllJobseekerData, findJobseekerById } from '../profiles/jobseeker-queries.ts';
import { audienceVocabulary } from './audience.ts';
import { describeAudience } from './audience-text.ts';
import { STORE_CATEGORIES } from './categories.ts';
import { jobseekerTraits } from './jobseeker-traits.ts';
import { dayNumber, recommend } from './recommend.ts';
import { type AppCard, appCard, byName, matchesSearch } from './store-page-model.ts';
import {
  findListedApp,
  findStorePreferences,
  hideApp,
  listListedApps,
  setRecommendationsOff,
  unhideAll,
} from './store-queries.ts';

/** Apps per page of the catalog. */
export const PAGE_SIZE = 24;
/** Apps per page of « Applications recommandées pour vous » (/account/recommandations). */
export const RECOMMENDATIONS_PAGE_SIZE = 10;

export interface RecommendedCard {
  card: AppCard;
  reasons: string[];
}

export function createStoreService(deps: { pool: Pool; catalog: Catalog; now?: () => Date }) {
  const { pool, catalog } = deps;
  const now = deps.now ?? (() => new Date());
  const labels = audienceVocabulary(catalog);

  async function recommendationsFor(jobseekerId: string) {
    const [prefs, apps, jobseeker, data] = await Promise.all([
      findStorePreferences(pool, jobseekerId),
      listListedApps(pool),
      findJobseekerById(pool, jobseekerId),
      findAllJobseekerData(pool, jobseekerId),
    ]);
    if (prefs.recommendations_off)
      return { off: true, items: [], hiddenCount: prefs.hidden_client_ids.length };
    const hidden = new Set(prefs.hidden_client_ids);
    const byId = new Map(apps.map((a) => [a.id, a]));
    const candidates = apps.flatMap((a) =>
      a.audience && a.audience_vetted && !hidden.has(a.id) ? [{ id: a.id, audience: a.audience }] : [],
    );
    const traits = jobseekerTraits(data, jobseeker?.claims ?? {});
    const items: RecommendedCard[] = recommend(traits, candidates, { day: dayNumber(now()), labels }).map(
      (r) => ({ card: appCard(byId.get(r.id) as (typeof apps)[number], catalog), reasons: r.reasons }),
    );
    const hiddenCount = apps.filter((a) => hidden.has(a.id)).length;
    return { off: false, items, hiddenCount };
  }

  return {
    /** The catalog, filtered by a search and a category, in alphabetical order. */
    async listing(filter: { q?: string; category?: string; page?: number }) {
      const all = (await listListedApps(pool)).map((a) => appCard(a, catalog)).sort(byName);
      const searched = filter.q ? all.filter((c) => matchesSearch(c, filter.q as string)) : all;
      const found = filter.category ? searched.filter((c) => c.category?.id === filter.category) : searched;
      const pages = Math.max(1, Math.ceil(found.length / PAGE_SIZE));
      const page = Math.min(filter.page ?? 1, pages);
      return {
        apps: found.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
        found: found.length,
        page,
        pages,
        total: all.length,
        categories: STORE_CATEGORIES.map((c) => ({
          ...c,
          count: searched.filter((card) => card.category?.id === c.id).length,
          current: c.id === filter.category,
        })),
      };
    },

    async app(id: string) {
      const app = await findListedApp(pool, id);
      if (!app) return undefined;
      return {
        card: appCard(app, catalog),
        audience: app.audience_vetted ? describeAudience(app.audience, labels) : [],
      };
    },

    recommendationsFor,

    /**
     * One page of the recommendations, in their order (stable through the day: the rotation of ties
     * changes daily, recommend.ts); a page past the last is the last.
     */
    async recommendationsPage(jobseekerId: string, page = 1) {
      const all = await recommendationsFor(jobseekerId);
      const pages = Math.max(1, Math.ceil(all.items.length / RECOMMENDATIONS_PAGE_SIZE));
      const current = Math.min(page, pages);
      return {
        ...all,
        items: all.items.slice(
          (current - 1) * RECOMMENDATIONS_PAGE_SIZE,
          current * RECOMMENDATIONS_PAGE_SIZE,
        ),
        total: all.items.length,
        page: current,
        pages,
        pageSize: RECOMMENDATIONS_PAGE_SIZE,
      };
    },

    setRecommendations: (jobseekerId: string, on: boolean) => setRecommendationsOff(pool, jobseekerId, !on),

    /** Hides one listed app from this jobseeker's recommendations; false when no such app is listed. */
    async hide(jobseekerId: string, clientId: string): Promise<boolean> {
      if (!(await findListedApp(pool, clientId))) return false;
      await hideApp(pool, jobseekerId, clientId);
      return true;
    },

    unhideAll: (jobseekerId: string) => unhideAll(pool, jobseekerId),
  };
}

export type StoreService = ReturnType<typeof createStoreService>;
