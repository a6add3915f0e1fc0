// GET /developpeurs: the developer quick start, one public page without session or JavaScript. Its
// model is built once at start (quickstart-model.ts); the page is rendered per request.
import Router from '@koa/router';
import type { Render } from '../http/render.ts';
import { noStore } from '../http/security-headers.ts';
import type { QuickstartModel } from './quickstart-model.ts';

export function developerRoutes(deps: { render: Render; model: QuickstartModel }) {
  const router = new Router();
  router.get('/developpeurs', noStore, (ctx) => {
    ctx.type = 'html';
    ctx.body = deps.render('developers', deps.model);
  });
  return router;
}
