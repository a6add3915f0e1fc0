// Signed consent receipts. In /account (signed in): each consent event's receipt, as the JWS to keep
// (`…/recu.jwt`, a download) and as a printable French page. In public: the receipt keys, and a page
// that checks a pasted receipt — a plain form, no session and no state change (hence no CSRF token).
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type Koa from 'koa';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Pool } from '../db/pool.ts';
import { readerFor } from '../http/read-your-writes.ts';
import type { Render } from '../http/render.ts';
import { noStore } from '../http/security-headers.ts';
import type { ReceiptService } from './receipt-service.ts';
import { receiptView } from './receipt-view.ts';

const MAX_RECEIPT = 32_000;

export function accountReceiptRoutes(deps: {
  pool: Pool;
  receipts: ReceiptService;
  catalog: Catalog;
  render: Render;
  /** the middleware that requires a signed-in jobseeker (dashboard/account-session.ts) */
  signedIn: Koa.Middleware;
}) {
  const router = new Router({ prefix: '/account/consents/:id/evenements/:eventId' });
  router.use(deps.signedIn);
  const sign = async (ctx: Koa.Context) =>
    deps.receipts.sign(
      (await readerFor(ctx)) ?? deps.pool,
      ctx.state.jobseekerId as string,
      String(ctx.params.id),
      String(ctx.params.eventId),
    );

  router.get('/recu.jwt', async (ctx) => {
    const { jws, event } = await sign(ctx);
    ctx.type = 'application/jwt';
    ctx.attachment(`recu-consentement-${event.id}.jwt`);
    ctx.body = jws;
  });
  router.get('/recu', async (ctx) => {
    const { jws, payload, event } = await sign(ctx);
    ctx.type = 'html';
    ctx.body = deps.render('account/receipt', {
      title: 'Reçu de votre accord',
      csrf: ctx.state._csrf,
      consentId: event.consent_id,
      eventId: event.id,
      receipt: receiptView(payload, deps.catalog),
      jws,
    });
  });
  return router;
}

export function publicReceiptRoutes(deps: {
  pool: Pool;
  receipts: ReceiptService;
  catalog: Catalog;
  render: Render;
}) {
  const router = new Router();
  const page = (ctx: Koa.Context, model: Record<string, unknown>) => {
    ctx.type = 'html';
    ctx.body = deps.render('site/receipt-verify', { title: 'Vérifier un reçu', ...model });
  };
  router.get('/recus/cles.json', async (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = await deps.receipts.keys(deps.pool);
  });
  router.get('/recus/verifier', (ctx) => page(ctx, {}));
  router.post(
    '/recus/verifier',
    noStore,
    bodyParser({ enableTypes: ['form'], formLimit: '64kb' }),
    async (ctx) => {
      const raw = (ctx.request.body as { recu?: unknown } | undefined)?.recu;
      const jws = typeof raw === 'string' ? raw.trim() : '';
      if (!jws || jws.length > MAX_RECEIPT) {
        ctx.status = 400;
        return page(ctx, { error: 'Collez le contenu du fichier de votre reçu (il commence par « eyJ »).' });
      }
      const verdict = await deps.receipts.verify(deps.pool, jws);
      if (!verdict.valid) ctx.status = 422;
      page(ctx, {
        submitted: jws,
        verdict: verdict.valid
          ? { valid: true, receipt: receiptView(verdict.payload, deps.catalog) }
          : { valid: false, reason: verdict.reason },
      });
    },
  );
  return router;
}
