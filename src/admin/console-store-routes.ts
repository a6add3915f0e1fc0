// /admin/clients/:id/catalogue: how an app appears in the Emploi Store — its category, its « Se
// connecter » address, its declared audience — and the admin's vetting of that audience. The same
// client service as every other change validates and audits it (the registration rules hold for the
// developer portal too); only an admin's save with « public vérifié » ticked lets recommendations use it.
import Router from '@koa/router';
import type Koa from 'koa';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { ClientService } from '../clients/client-service.ts';
import { AppError } from '../http/app-error.ts';
import type { Render } from '../http/render.ts';
import { actorOf } from './admin-api-auth.ts';
import { consolePage } from './console-page.ts';
import { listingForm, listingFormFromBody, listingInput, listingView } from './console-store-models.ts';

export function consoleStoreRoutes(deps: { render: Render; catalog: Catalog; clients: ClientService }) {
  const { render, catalog, clients } = deps;
  const router = new Router();
  const path = (id: string) => `/admin/clients/${encodeURIComponent(id)}/catalogue`;

  const page = consolePage(render);
  const show = (ctx: Koa.Context, model: Record<string, unknown>) => page(ctx, 'admin/client-store', model);

  router.get('/clients/:id/catalogue', async (ctx) => {
    const row = await clients.find(String(ctx.params.id));
    if (!row)
      throw new AppError(404, 'not_found', 'Cette application n’existe pas, ou elle a été supprimée.');
    show(ctx, {
      title: `Fiche catalogue – ${row.name}`,
      saved: ctx.query.ok === 'updated',
      ...listingView(row, listingForm(row), [], catalog),
    });
  });

  router.post('/clients/:id/catalogue', async (ctx) => {
    const row = await clients.find(String(ctx.params.id));
    if (!row)
      throw new AppError(404, 'not_found', 'Cette application n’existe pas, ou elle a été supprimée.');
    const form = listingFormFromBody(ctx.request.body);
    try {
      await clients.update(row.id, listingInput(form), actorOf(ctx));
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      ctx.status = 400;
      return show(ctx, {
        title: `Erreur – Fiche catalogue – ${row.name}`,
        ...listingView(row, form, err.message.split('; '), catalog),
      });
    }
    ctx.status = 303;
    ctx.redirect(`${path(row.id)}?ok=updated`);
  });

  return router;
}
