// The actions on one app of the developer portal: submit for review, a new sandbox secret, the
// production secret once approved (each shown once, the previous keeping its grace), invite a team
// member. And the sandbox personas' page. Mounted by portal-app-routes.ts, behind its sign-in guard.
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { formatMoment } from '../admin/french-format.ts';
import { AppError } from '../http/app-error.ts';
import type { Render } from '../http/render.ts';
import type { AppFigures } from './app-figures.ts';
import type { DeveloperAccountRow } from './developer-account-queries.ts';
import type { DeveloperAppRow } from './developer-app-queries.ts';
import type { DeveloperApps } from './developer-apps.ts';
import { SANDBOX_PASSWORD, SANDBOX_PERSONAS } from './sandbox-personas.ts';

const inviteForm = z.object({ email: z.string().trim().min(3).max(254) });

export function portalActionRoutes(deps: {
  render: Render;
  apps: DeveloperApps;
  page: (ctx: Koa.Context, template: string, model: Record<string, unknown>) => void;
  dev: (ctx: Koa.Context) => DeveloperAccountRow;
  appOf: (ctx: Koa.Context) => Promise<DeveloperAppRow>;
  figures: AppFigures;
}) {
  const { apps, page, dev, appOf } = deps;
  const router = new Router();
  const back = (ctx: Koa.Context, app: DeveloperAppRow, ok: string) => {
    ctx.status = 303;
    ctx.redirect(`/developpeurs/applications/${app.id}?ok=${ok}`);
  };
  const secretPage = (
    ctx: Koa.Context,
    app: DeveloperAppRow,
    kind: 'sandbox' | 'production',
    secret: { client_id: string; client_secret: string; previous_secret_expires_at: string },
    hadPrevious: boolean,
  ) =>
    page(ctx, 'developers/secret', {
      title: kind === 'sandbox' ? 'Nouveau secret de bac à sable' : 'Secret de production',
      app,
      kind,
      clientId: secret.client_id,
      clientSecret: secret.client_secret,
      previousUntil: hadPrevious ? formatMoment(new Date(secret.previous_secret_expires_at)) : undefined,
    });

  router.post('/applications/:id/soumettre', async (ctx) => {
    const app = await appOf(ctx);
    await apps.submit(app, dev(ctx), ctx.state.requestId);
    back(ctx, app, 'soumise');
  });

  router.post('/applications/:id/bac-a-sable/secret', async (ctx) => {
    const app = await appOf(ctx);
    secretPage(ctx, app, 'sandbox', await apps.rotateSandboxSecret(app, dev(ctx), ctx.state.requestId), true);
  });

  router.post('/applications/:id/production/secret', async (ctx) => {
    const app = await appOf(ctx);
    const hadPrevious = Boolean(app.production_secret_issued_at);
    secretPage(
      ctx,
      app,
      'production',
      await apps.issueProductionSecret(app, dev(ctx), ctx.state.requestId),
      hadPrevious,
    );
  });

  router.post('/applications/:id/equipe', async (ctx) => {
    const app = await appOf(ctx);
    const form = inviteForm.safeParse(ctx.request.body);
    if (!form.success)
      throw new AppError(400, 'invalid_request', 'Indiquez l’adresse e-mail de la personne.');
    await apps.invite(app, dev(ctx), form.data.email, ctx.state.requestId);
    back(ctx, app, 'equipe');
  });

  // The redirect URIs of an approved app, on its approved host (developer-apps.ts updateAddresses).
  const addressesPage = (
    ctx: Koa.Context,
    app: DeveloperAppRow,
    form: { redirect: string; logout: string },
    errors: string[] = [],
  ) =>
    page(ctx, 'developers/app-addresses', {
      title: `${errors.length ? 'Erreur – ' : ''}Adresses de retour – ${app.name}`,
      app,
      form,
      errors,
    });
  const lines = (v: unknown) =>
    (typeof v === 'string' ? v : '')
      .slice(0, 20_000)
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);

  router.get('/applications/:id/adresses', async (ctx) => {
    const app = await appOf(ctx);
    const { production } = await apps.clientsOf(app);
    addressesPage(ctx, app, {
      redirect: production.redirect_uris.join('\n'),
      logout: production.post_logout_redirect_uris.join('\n'),
    });
  });

  router.post('/applications/:id/adresses', async (ctx) => {
    const app = await appOf(ctx);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const form = {
      redirect: lines(body.redirect_uris).join('\n'),
      logout: lines(body.post_logout_redirect_uris).join('\n'),
    };
    try {
      await apps.updateAddresses(
        app,
        dev(ctx),
        {
          redirect_uris: lines(body.redirect_uris),
          post_logout_redirect_uris: lines(body.post_logout_redirect_uris),
        },
        ctx.state.requestId,
      );
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      ctx.status = 400;
      return addressesPage(ctx, app, form, err.message.split('; '));
    }
    back(ctx, app, 'adresses');
  });

  router.post('/applications/:id/equipe/retirer', async (ctx) => {
    const app = await appOf(ctx);
    const accountId = (ctx.request.body as { account_id?: unknown } | undefined)?.account_id;
    await apps.removeMember(
      app,
      dev(ctx),
      typeof accountId === 'string' ? accountId : '',
      ctx.state.requestId,
    );
    back(ctx, app, 'retire');
  });

  // Figures of the production app, or of its sandbox twin (?environnement=bac-a-sable).
  router.get('/applications/:id/statistiques', async (ctx) => {
    const app = await appOf(ctx);
    const clients = await apps.clientsOf(app);
    const client = ctx.query.environnement === 'bac-a-sable' ? clients.sandbox : clients.production;
    page(ctx, 'developers/app-figures', {
      title: `Statistiques – ${app.name}`,
      appId: app.id,
      name: app.name,
      figures: await deps.figures(client),
    });
  });

  router.get('/bac-a-sable', (ctx) =>
    page(ctx, 'developers/sandbox', {
      title: 'Profils de test du bac à sable',
      password: SANDBOX_PASSWORD,
      personas: SANDBOX_PERSONAS.map((p) => ({
        login: p.line.login,
        name: `${p.line.claims?.given_name ?? ''} ${p.line.claims?.family_name ?? ''}`.trim(),
        summary: p.summary,
        scopes: Object.keys(p.line.data ?? {}),
      })),
    }),
  );

  return router;
}
