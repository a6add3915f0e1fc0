// /developpeurs/applications: a developer's apps — the list, a new draft (the admin console's
// registration form and rules), its page (review state, sandbox and production credentials, what
// the review will check, the team), changes to the draft and its catalogue sheet. Signed-in
// developers only; an app is read through its team membership, so another team's id is a 404.
import Router from '@koa/router';
import type Koa from 'koa';
import { emptyForm, formFromBody, formFromRow, formView, inputFromForm } from '../admin/client-form.ts';
import { errorsFromRefusal, type FieldError } from '../admin/client-form-errors.ts';
import {
  listingForm,
  listingFormFromBody,
  listingInput,
  listingView,
} from '../admin/console-store-models.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import { AppError } from '../http/app-error.ts';
import type { Render } from '../http/render.ts';
import type { AppFigures } from './app-figures.ts';
import type { DeveloperAccounts } from './developer-accounts.ts';
import type { DeveloperApps } from './developer-apps.ts';
import { requireDeveloper } from './developer-session.ts';
import { portalActionRoutes } from './portal-action-routes.ts';
import { appPageModel, appsListModel } from './portal-models.ts';

const isBadRequest = (err: unknown): err is AppError => err instanceof AppError && err.status === 400;

export function portalAppRoutes(deps: {
  render: Render;
  catalog: Catalog;
  accounts: DeveloperAccounts;
  apps: DeveloperApps;
  sessionTtlMs: number;
  figures: AppFigures;
  issuer: string;
}) {
  const { render, catalog, apps } = deps;
  const router = new Router({ prefix: '/developpeurs' });
  router.use(['/applications', '/bac-a-sable'], requireDeveloper(deps.accounts, deps.sessionTtlMs));
  const page = (ctx: Koa.Context, template: string, model: Record<string, unknown>) => {
    ctx.type = 'html';
    ctx.body = render(template, { ...model, csrf: ctx.state._csrf, email: ctx.state.developer?.email });
  };
  const dev = (ctx: Koa.Context) => ctx.state.developer as NonNullable<Koa.Context['state']['developer']>;
  const appOf = (ctx: Koa.Context) => apps.get(String(ctx.params.id), dev(ctx));
  const newForm = (ctx: Koa.Context, form = emptyForm(), errors: FieldError[] = []) => {
    if (!form.operator_name) form.operator_name = dev(ctx).organisation_name;
    if (!form.contact_email && !errors.length) form.contact_email = dev(ctx).email;
    page(ctx, 'developers/app-new', {
      title: errors.length ? 'Erreur – Nouvelle application' : 'Nouvelle application',
      form: formView(form, errors, catalog),
      errors,
    });
  };

  router.get('/applications', async (ctx) =>
    page(ctx, 'developers/apps', { title: 'Mes applications', ...appsListModel(await apps.list(dev(ctx))) }),
  );

  router.get('/applications/nouvelle', (ctx) => newForm(ctx));

  router.post('/applications', async (ctx) => {
    const form = formFromBody(ctx.request.body, catalog);
    const { input, errors } = inputFromForm(form, catalog);
    if (errors.length) {
      ctx.status = 400;
      return newForm(ctx, form, errors);
    }
    try {
      const created = await apps.createDraft(dev(ctx), input, ctx.state.requestId);
      page(ctx, 'developers/app-created', {
        title: 'Application créée',
        appId: created.id,
        name: input.name.trim(),
        sandbox: created.sandbox,
        productionClientId: created.production.client_id,
      });
    } catch (err) {
      if (!isBadRequest(err)) throw err;
      ctx.status = 400;
      newForm(ctx, form, errorsFromRefusal(err, catalog));
    }
  });

  router.get('/applications/:id', async (ctx) => {
    const app = await appOf(ctx);
    const clients = await apps.clientsOf(app);
    page(ctx, 'developers/app', {
      title: app.name,
      notice: typeof ctx.query.ok === 'string' ? ctx.query.ok : undefined,
      issuer: deps.issuer,
      ...appPageModel(
        app,
        clients,
        apps.vettingProblems(clients.production),
        await apps.members(app),
        catalog,
      ),
    });
  });

  const editPage = (
    ctx: Koa.Context,
    app: { id: string; name: string },
    form: ReturnType<typeof formFromRow>,
    errors: FieldError[] = [],
  ) =>
    page(ctx, 'developers/app-edit', {
      title: `${errors.length ? 'Erreur – ' : ''}Modifier ${app.name}`,
      app,
      form: formView(form, errors, catalog),
      errors,
    });

  router.get('/applications/:id/modifier', async (ctx) => {
    const app = await appOf(ctx);
    const { production } = await apps.clientsOf(app);
    editPage(ctx, app, formFromRow(production));
  });

  router.post('/applications/:id/modifier', async (ctx) => {
    const app = await appOf(ctx);
    const form = formFromBody(ctx.request.body, catalog);
    const { input, errors } = inputFromForm(form, catalog);
    try {
      if (errors.length) throw new AppError(400, 'invalid_request', '');
      await apps.updateDraft(app, dev(ctx), input, ctx.state.requestId);
    } catch (err) {
      if (!isBadRequest(err)) throw err;
      ctx.status = 400;
      return editPage(ctx, app, form, errors.length ? errors : errorsFromRefusal(err, catalog));
    }
    ctx.status = 303;
    ctx.redirect(`/developpeurs/applications/${app.id}?ok=enregistree`);
  });

  router.get('/applications/:id/catalogue', async (ctx) => {
    const app = await appOf(ctx);
    const { production } = await apps.clientsOf(app);
    page(ctx, 'developers/app-catalogue', {
      title: `Fiche catalogue – ${app.name}`,
      appId: app.id,
      ...listingView(production, listingForm(production), [], catalog),
    });
  });

  router.post('/applications/:id/catalogue', async (ctx) => {
    const app = await appOf(ctx);
    const form = listingFormFromBody(ctx.request.body);
    try {
      await apps.updateDraft(app, dev(ctx), listingInput(form), ctx.state.requestId);
    } catch (err) {
      if (!isBadRequest(err)) throw err;
      const { production } = await apps.clientsOf(app);
      ctx.status = 400;
      return page(ctx, 'developers/app-catalogue', {
        title: `Erreur – Fiche catalogue – ${app.name}`,
        appId: app.id,
        ...listingView(production, form, err.message.split('; '), catalog),
      });
    }
    ctx.status = 303;
    ctx.redirect(`/developpeurs/applications/${app.id}?ok=catalogue`);
  });

  router.use(portalActionRoutes({ render, apps, page, dev, appOf, figures: deps.figures }).routes());
  return router;
}
