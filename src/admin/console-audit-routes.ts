// /admin/audit: the whole audit trail, newest first, a page at a time (`?avant=<id>`).
import Router from '@koa/router';
import { listAudit } from '../audit/audit-queries.ts';
import type { ClientService } from '../clients/client-service.ts';
import type { Pool } from '../db/pool.ts';
import type { Render } from '../http/render.ts';
import { AUDIT_PAGE, auditView } from './audit-view.ts';
import { consolePage } from './console-page.ts';

export function consoleAuditRoutes(deps: { pool: Pool; render: Render; clients: ClientService }) {
  const { pool, clients } = deps;
  const router = new Router();
  const page = consolePage(deps.render);

  router.get('/audit', async (ctx) => {
    const cursor =
      typeof ctx.query.avant === 'string' && /^\d{1,18}$/.test(ctx.query.avant) ? ctx.query.avant : undefined;
    const rows = await listAudit(pool, { beforeId: cursor, limit: AUDIT_PAGE + 1 });
    const shown = rows.slice(0, AUDIT_PAGE);
    const live = new Set((await clients.list()).map((c) => c.id));
    page(ctx, 'admin/audit', {
      title: 'Journal d’audit',
      first: !cursor,
      entries: auditView(shown, live),
      next: rows.length > AUDIT_PAGE ? shown.at(-1)?.id : undefined,
    });
  });

  return router;
}
