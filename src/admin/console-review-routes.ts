// /admin/validations: the review queue of apps submitted from the developer portal. An admin reads
// the registration as submitted (and what the rules would still refuse), then approves it (the app
// becomes active through the client service's vetting, the audience vetted if ticked), requests
// changes with a comment, or refuses it with a reason. Each decision is audited with its admin and
// mailed to the app's team (src/developers/developer-apps.ts).
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { ClientService } from '../clients/client-service.ts';
import { ClientValidationError } from '../clients/client-values.ts';
import type { AppFigures } from '../developers/app-figures.ts';
import type { DeveloperAccounts } from '../developers/developer-accounts.ts';
import type { DeveloperApps } from '../developers/developer-apps.ts';
import { reviewBadge } from '../developers/portal-models.ts';
import { AppError } from '../http/app-error.ts';
import type { Render } from '../http/render.ts';
import { audienceVocabulary } from '../store/audience.ts';
import { describeAudience } from '../store/audience-text.ts';
import { STORE_CATEGORIES } from '../store/categories.ts';
import { actorOf } from './admin-api-auth.ts';
import { clientDetails } from './client-details-view.ts';
import { issueLines } from './client-form-errors.ts';
import { consolePage } from './console-page.ts';
import { formatMoment } from './french-format.ts';

const decisionForm = z.object({
  decision: z.enum(['approve', 'request_changes', 'refuse']),
  comment: z.string().max(4000).default(''),
  vet_audience: z.literal('yes').optional(),
});

export function consoleReviewRoutes(deps: {
  render: Render;
  catalog: Catalog;
  apps: DeveloperApps;
  clients: ClientService;
  figures: AppFigures;
  developers: DeveloperAccounts;
}) {
  const { render, catalog, apps } = deps;
  const router = new Router();
  const page = consolePage(render);

  router.get('/validations', async (ctx) => {
    const rows = await apps.reviewQueue();
    page(ctx, 'admin/reviews', {
      title: 'Validations',
      done: typeof ctx.query.ok === 'string' ? ctx.query.ok : undefined,
      apps: rows.map((r) => ({
        id: r.id,
        name: r.name,
        organisation: r.organisation_name,
        review: reviewBadge(r.review_state),
        submittedAt: r.submitted_at ? formatMoment(r.submitted_at) : '',
      })),
    });
  });

  async function reviewPage(ctx: Koa.Context, errors: string[] = [], form: Record<string, string> = {}) {
    const app = await apps.findForReview(String(ctx.params.id));
    if (!app) throw new AppError(404, 'not_found', 'Cette demande n’existe pas.');
    const { production } = await apps.clientsOf(app);
    const problems = apps.vettingProblems(production);
    page(ctx, 'admin/review', {
      title: `${errors.length ? 'Erreur – ' : ''}Validation de ${app.name}`,
      app: {
        id: app.id,
        organisation: app.organisation_name,
        review: reviewBadge(app.review_state),
        state: app.review_state,
        comment: app.review_comment,
        submittedAt: app.submitted_at ? formatMoment(app.submitted_at) : '',
      },
      client: clientDetails(production, catalog),
      category: STORE_CATEGORIES.find((c) => c.id === production.category)?.label,
      startUrl: production.start_url,
      audience: describeAudience(production.audience, audienceVocabulary(catalog)),
      problems: issueLines(problems, catalog),
      errors,
      form,
    });
  }

  router.get('/validations/:id', (ctx) => reviewPage(ctx));

  router.post('/validations/:id', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, string>;
    const form = decisionForm.safeParse(body);
    if (!form.success) {
      ctx.status = 400;
      return reviewPage(ctx, ['Choisissez une décision.'], body);
    }
    try {
      await apps.decide(String(ctx.params.id), actorOf(ctx), form.data.decision, form.data.comment, {
        vetAudience: form.data.vet_audience === 'yes',
      });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      ctx.status = 400;
      const messages = err instanceof ClientValidationError ? issueLines(err.issues, catalog) : [err.message];
      return reviewPage(ctx, messages, body);
    }
    ctx.status = 303;
    ctx.redirect(`/admin/validations?ok=${form.data.decision}`);
  });

  // Developer accounts: an abusive one is disabled (it loses the portal at its next request).
  router.get('/developpeurs', async (ctx) => {
    const rows = await deps.developers.list();
    page(ctx, 'admin/developers', {
      title: 'Comptes développeurs',
      done: ctx.query.ok === 'disabled' || ctx.query.ok === 'enabled' ? ctx.query.ok : undefined,
      accounts: rows.map((r) => ({
        id: r.id,
        email: r.email,
        organisation: r.organisation_name,
        verified: Boolean(r.verified_at),
        disabled: Boolean(r.disabled_at),
        apps: r.apps,
        createdAt: formatMoment(r.created_at),
      })),
    });
  });

  router.post('/developpeurs/:id/etat', async (ctx) => {
    const disable = (ctx.request.body as { disable?: unknown } | undefined)?.disable === 'yes';
    await deps.developers.setDisabled(String(ctx.params.id), disable, actorOf(ctx));
    ctx.status = 303;
    ctx.redirect(`/admin/developpeurs?ok=${disable ? 'disabled' : 'enabled'}`);
  });

  // The same figures as the developers see, for any app (the admins vet and watch them all).
  router.get('/clients/:id/statistiques', async (ctx) => {
    const client = await deps.clients.find(String(ctx.params.id));
    if (!client)
      throw new AppError(404, 'not_found', 'Cette application n’existe pas, ou elle a été supprimée.');
    page(ctx, 'admin/client-figures', {
      title: `Statistiques – ${client.name}`,
      clientId: client.id,
      name: client.name,
      figures: await deps.figures(client),
    });
  });

  return router;
}
