// The Emploi Store's pages: /applications (the catalog, with search and a category filter), one page
// per app, and « Applications recommandées pour vous » (on the catalog and in /account) with the
// jobseeker's choices: switch recommendations off or on, hide one app, show hidden ones again.
// Plain GETs and forms (no JavaScript needed); POSTs carry the CSRF token (checked upstream), need a
// signed-in jobseeker and answer 303.
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { currentJobseeker, requireJobseeker } from '../dashboard/account-session.ts';
import type { Pool } from '../db/pool.ts';
import { AppError, notFound } from '../http/app-error.ts';
import type { Render } from '../http/render.ts';
import { STORE_CATEGORY_IDS } from './categories.ts';
import type { StoreService } from './store-service.ts';

const pageNumber = z.coerce.number().int().min(1).max(10_000).optional();
const listingQuery = z.object({
  q: z.string().trim().max(100).optional(),
  categorie: z.enum(STORE_CATEGORY_IDS).or(z.literal('')).optional(),
  page: pageNumber,
});
// Where a choice returns: the page it was made on (and, in the paged list, that page), nothing else.
const RETURNS = ['/applications', '/account/recommandations'] as const;
const choiceForm = z.object({ retour: z.enum(RETURNS).optional(), page: pageNumber });
const switchForm = choiceForm.extend({ recommandations: z.enum(['oui', 'non']) });

const NOTICES: Record<string, string> = {
  off: 'C’est fait : plus aucune application ne vous est recommandée. Vous pouvez les réactiver quand vous voulez.',
  on: 'C’est fait : les recommandations sont réactivées.',
  hidden: 'C’est fait : cette application ne vous sera plus recommandée.',
  unhidden: 'C’est fait : les applications que vous aviez masquées peuvent à nouveau vous être recommandées.',
};

// The catalog shows the first few recommendations (the daily rotation shares those places fairly);
// /account/recommandations shows them all, RECOMMENDATIONS_PAGE_SIZE a page (?page=N, plain links).
const ON_CATALOG = 6;
const shortList = <T extends { items: unknown[] }>(r: T) => ({
  ...r,
  items: r.items.slice(0, ON_CATALOG),
  total: r.items.length,
});

export function storeRoutes(deps: { pool: Pool; render: Render; store: StoreService; sessionTtlMs: number }) {
  const { render, store } = deps;
  const router = new Router();
  const page = (ctx: Koa.Context, template: string, model: Record<string, unknown>) => {
    ctx.type = 'html';
    ctx.body = render(template, { ...model, csrf: ctx.state._csrf });
  };
  const noticeOf = (ctx: Koa.Context) => {
    const key = String(ctx.query.ok);
    return Object.hasOwn(NOTICES, key) ? NOTICES[key] : undefined;
  };
  const backTo = (ctx: Koa.Context, form: z.infer<typeof choiceForm>, notice: string) => {
    const page =
      form.retour === '/account/recommandations' && form.page && form.page > 1 ? `&page=${form.page}` : '';
    ctx.status = 303;
    ctx.redirect(`${form.retour ?? '/applications'}?ok=${notice}${page}#recommandations`);
  };
  const parse = <T extends z.ZodType>(schema: T, value: unknown): z.infer<T> => {
    const parsed = schema.safeParse(value ?? {});
    if (!parsed.success) throw new AppError(400, 'invalid_request', 'Formulaire ou adresse incorrects.');
    return parsed.data;
  };

  router.get('/applications', async (ctx) => {
    const query = parse(listingQuery, ctx.query);
    const category = query.categorie || undefined;
    const jobseeker = await currentJobseeker(ctx, deps.pool, deps.sessionTtlMs);
    page(ctx, 'store/catalog', {
      title: 'Applications',
      notice: noticeOf(ctx),
      q: query.q ?? '',
      category,
      ...(await store.listing({ q: query.q, category, page: query.page })),
      pageHref: (page: number) =>
        `/applications?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), ...(category ? { categorie: category } : {}), page: String(page) })}#catalogue-titre`,
      signedIn: Boolean(jobseeker),
      recommendations: jobseeker ? shortList(await store.recommendationsFor(jobseeker.id)) : undefined,
    });
  });

  router.get('/applications/:id', async (ctx) => {
    const found = await store.app(String(ctx.params.id));
    if (!found) throw notFound('Cette application n’est pas dans le catalogue.');
    const jobseeker = await currentJobseeker(ctx, deps.pool, deps.sessionTtlMs);
    const recommended = jobseeker
      ? (await store.recommendationsFor(jobseeker.id)).items.find((r) => r.card.id === found.card.id)
      : undefined;
    page(ctx, 'store/app', { title: found.card.name, ...found, reasons: recommended?.reasons });
  });

  // On each route, not with use(): mounted without a prefix, a router-level middleware would run for
  // every page the parent router serves (@koa/router copies nested layers into its parent).
  const signedIn = requireJobseeker(deps.pool, deps.sessionTtlMs);
  const me = (ctx: Koa.Context) => ctx.state.jobseekerId as string;

  router.get('/account/recommandations', signedIn, async (ctx) => {
    const query = parse(z.object({ page: pageNumber }), ctx.query);
    const recommendations = await store.recommendationsPage(me(ctx), query.page);
    page(ctx, 'account/recommendations', {
      title:
        recommendations.pages > 1
          ? `Applications recommandées pour vous (page ${recommendations.page} sur ${recommendations.pages})`
          : 'Applications recommandées pour vous',
      notice: noticeOf(ctx),
      recommendations,
      pageHref: (n: number) => `/account/recommandations?page=${n}#recommandations-titre`,
    });
  });

  router.post('/applications/recommandations', signedIn, async (ctx) => {
    const form = parse(switchForm, ctx.request.body);
    await store.setRecommendations(me(ctx), form.recommandations === 'oui');
    backTo(ctx, form, form.recommandations === 'oui' ? 'on' : 'off');
  });

  router.post('/applications/recommandations/reafficher', signedIn, async (ctx) => {
    const form = parse(choiceForm, ctx.request.body);
    await store.unhideAll(me(ctx));
    backTo(ctx, form, 'unhidden');
  });

  router.post('/applications/:id/masquer', signedIn, async (ctx) => {
    const form = parse(choiceForm, ctx.request.body);
    if (!(await store.hide(me(ctx), String(ctx.params.id))))
      throw notFound('Cette application n’est pas dans le catalogue.');
    backTo(ctx, form, 'hidden');
  });

  return router;
}
