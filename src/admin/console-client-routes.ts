// /admin, /admin/clients…: the console's apps — the list, registration, an app's page (details, form,
// audit, delivery states), its approval, suspension, new secret and deletion. The clients service
// validates, changes and audits; a refused change shows the form again with its errors (400).
import Router from '@koa/router';
import type Koa from 'koa';
import type { AccessLog } from '../api/access-log.ts';
import { listAudit } from '../audit/audit-queries.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import { usesSecret } from '../clients/client-auth-methods.ts';
import type { ClientRow } from '../clients/client-queries.ts';
import type { ClientService } from '../clients/client-service.ts';
import type { Pool } from '../db/pool.ts';
import type { Render } from '../http/render.ts';
import { seeOther } from '../http/see-other.ts';
import type { LogoutDeliveryState } from '../ssf/backchannel-logout-queries.ts';
import { deliveryView, logoutDeliveryView } from '../ssf/delivery-view.ts';
import type { DeliveryState } from '../ssf/ssf-queries.ts';
import { actorOf } from './admin-api-auth.ts';
import { AUDIT_PAGE, auditView } from './audit-view.ts';
import { appsListView, clientDetails } from './client-details-view.ts';
import { emptyForm, formFromBody, formFromRow, formView, inputFromForm } from './client-form.ts';
import { errorsFromRefusal, type FieldError } from './client-form-errors.ts';
import { notFoundPage, noticeOf } from './console-notices.ts';
import { consolePage } from './console-page.ts';
import { formatMoment } from './french-format.ts';

const confirmed = (ctx: Koa.Context) =>
  (ctx.request.body as { confirm?: unknown } | undefined)?.confirm === 'yes';

export function consoleClientRoutes(deps: {
  pool: Pool;
  catalog: Catalog;
  render: Render;
  clients: ClientService;
  accessLog: AccessLog;
  ssfStates?: (clientId: string) => Promise<DeliveryState[]>;
  logoutStates?: (clientId: string) => Promise<LogoutDeliveryState>;
}) {
  const { pool, catalog, clients } = deps;
  const router = new Router();
  const page = consolePage(deps.render);
  const notFound = (ctx: Koa.Context) => notFoundPage(page, ctx);
  const clientPath = (id: string) => `/admin/clients/${encodeURIComponent(id)}`;

  const found = async (ctx: Koa.Context): Promise<ClientRow | undefined> => {
    const row = await clients.find(String(ctx.params.id));
    if (!row) notFound(ctx);
    return row;
  };

  router.get('/', async (ctx) => {
    await deps.accessLog.flush(); // "last activity" includes reads still buffered on this instance
    page(ctx, 'admin/apps', {
      title: 'Applications',
      notice: noticeOf(ctx),
      apps: appsListView(await clients.list()),
    });
  });

  const newClientPage = (ctx: Koa.Context, form = emptyForm(), errors: FieldError[] = []) =>
    page(ctx, 'admin/client-new', {
      title: errors.length ? 'Erreur – Enregistrer une application' : 'Enregistrer une application',
      form: { ...formView(form, errors, catalog), withClientId: true },
      errors,
    });

  router.get('/clients/new', (ctx) => newClientPage(ctx));

  router.post('/clients', async (ctx) => {
    const form = formFromBody(ctx.request.body, catalog);
    const { input, errors } = inputFromForm(form, catalog);
    const all = [...errors, ...validationErrors(() => clients.rules.parse({ ...input, status: 'pending' }))];
    let created: Awaited<ReturnType<ClientService['create']>> | undefined;
    if (!all.length) {
      try {
        const clientId = form.client_id.trim() || undefined;
        created = await clients.create({ ...input, client_id: clientId, status: 'pending' }, actorOf(ctx));
      } catch (err) {
        all.push(...errorsFromRefusal(err, catalog));
      }
    }
    if (!created) {
      ctx.status = 400;
      return newClientPage(ctx, form, all);
    }
    page(ctx, 'admin/client-created', {
      title: 'Application enregistrée',
      name: form.name.trim(),
      clientId: created.client_id,
      clientSecret: created.client_secret,
    });
  });

  function validationErrors(check: () => unknown): FieldError[] {
    try {
      check();
      return [];
    } catch (err) {
      return errorsFromRefusal(err, catalog);
    }
  }

  async function clientPage(
    ctx: Koa.Context,
    row: ClientRow,
    options: { form?: ReturnType<typeof formFromRow>; errors?: FieldError[]; errorTitle?: string } = {},
  ) {
    const errors = options.errors ?? [];
    const audit = await listAudit(pool, { targetType: 'client', targetId: row.id, limit: AUDIT_PAGE });
    page(ctx, 'admin/client', {
      title: `${errors.length ? 'Erreur – ' : ''}${row.name}`,
      notice: noticeOf(ctx),
      client: clientDetails(row, catalog),
      form: formView(options.form ?? formFromRow(row), errors, catalog),
      errors,
      errorTitle: options.errorTitle,
      audit: auditView(audit, new Set([row.id])),
      delivery: deliveryView((await deps.ssfStates?.(row.id))?.[0]),
      logouts: logoutDeliveryView(row.backchannel_logout_uri, await deps.logoutStates?.(row.id)),
    });
  }

  router.get('/clients/:id', async (ctx) => {
    const row = await found(ctx);
    if (row) await clientPage(ctx, row);
  });

  router.post('/clients/:id', async (ctx) => {
    const row = await found(ctx);
    if (!row) return;
    const form = formFromBody(ctx.request.body, catalog);
    const { input, errors } = inputFromForm(form, catalog);
    const all = [...errors];
    if (!all.length) {
      try {
        await clients.update(row.id, input, actorOf(ctx));
        return seeOther(ctx, `${clientPath(row.id)}?ok=updated`);
      } catch (err) {
        all.push(...errorsFromRefusal(err, catalog));
      }
    }
    ctx.status = 400;
    await clientPage(ctx, row, {
      form,
      errors: all,
      errorTitle: 'Les modifications n’ont pas été enregistrées',
    });
  });

  const setStatus = (status: 'active' | 'suspended', from: readonly string[], notice: string) =>
    async function statusChange(ctx: Koa.Context) {
      const row = await found(ctx);
      if (!row) return;
      if (!from.includes(row.status)) return seeOther(ctx, `${clientPath(row.id)}?ok=unchanged`);
      try {
        await clients.update(row.id, { status }, actorOf(ctx));
      } catch (err) {
        const errors = errorsFromRefusal(err, catalog);
        ctx.status = 400;
        return clientPage(ctx, row, {
          errors,
          errorTitle:
            status === 'active'
              ? 'L’application ne peut pas encore être approuvée'
              : 'L’application n’a pas pu être suspendue',
        });
      }
      seeOther(ctx, `${clientPath(row.id)}?ok=${notice}`);
    };

  router.post('/clients/:id/approve', setStatus('active', ['pending', 'suspended'], 'approved'));
  router.post('/clients/:id/suspend', setStatus('suspended', ['active'], 'suspended'));

  router.post('/clients/:id/secret', async (ctx) => {
    const row = await found(ctx);
    if (!row) return;
    if (!usesSecret(row.token_endpoint_auth_method)) {
      ctx.status = 400;
      return clientPage(ctx, row, {
        errors: [
          {
            field: 'client',
            href: '#actions-secret',
            label: 'Secret',
            message:
              row.token_endpoint_auth_method === 'none'
                ? 'cette application est publique (none) : elle n’a pas de secret'
                : 'cette application s’authentifie par clé (private_key_jwt) : elle n’a pas de secret',
          },
        ],
        errorTitle: 'Aucun secret n’a été généré',
      });
    }
    const rotated = await clients.rotateSecret(row.id, actorOf(ctx));
    page(ctx, 'admin/client-secret', {
      title: 'Nouveau secret',
      name: row.name,
      clientId: row.id,
      clientSecret: rotated.client_secret,
      previousUntil: row.secret_ciphertext
        ? formatMoment(new Date(rotated.previous_secret_expires_at))
        : undefined,
    });
  });

  router.post('/clients/:id/delete', async (ctx) => {
    const row = await found(ctx);
    if (!row) return;
    if (!confirmed(ctx)) {
      const listed = (await clients.list()).find((c) => c.id === row.id);
      return page(ctx, 'admin/client-delete', {
        title: `Supprimer ${row.name} ?`,
        client: { id: row.id, name: row.name, activeConsents: listed?.active_consents ?? 0 },
      });
    }
    await clients.remove(row.id, actorOf(ctx));
    seeOther(ctx, '/admin?ok=deleted');
  });

  return router;
}
