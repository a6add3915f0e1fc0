// GET /developpeurs: the developer quick start, one public page without session or JavaScript. Its
// model is built once at start (quickstart-model.ts); the page is rendered per request.
import Router from '@koa/router';
import type { Render } from '../http/render.ts';
import { noStore } from '../http/security-headers.ts';
import type { ApiReferenceModel } from './api-reference-model.ts';
import type { QuickstartModel } from './quickstart-model.ts';

export function developerRoutes(deps: {
  render: Render;
  model: QuickstartModel;
  apiReference?: ApiReferenceModel;
}) {
  const router = new Router();
  router.get('/developpeurs', noStore, (ctx) => {
    ctx.type = 'html';
    ctx.body = deps.render('developers', deps.model);
  });
  // The API reference, rendered from the same catalog as the OpenAPI document (api-reference-model.ts).
  const { apiReference } = deps;
  if (apiReference)
    router.get('/developpeurs/api', noStore, (ctx) => {
      ctx.type = 'html';
      ctx.body = deps.render('developers/api-reference', apiReference);
    });
  return router;
}
