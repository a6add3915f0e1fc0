// The public pages (src/site/site-pages.ts): plain GETs, no session, no form, the same for everyone,
// so they may be cached briefly.
import Router from '@koa/router';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Config } from '../config.ts';
import type { Render } from '../http/render.ts';
import { SITE_PAGES, siteModel } from './site-pages.ts';

export function siteRoutes(deps: { config: Config; catalog: Catalog; render: Render }) {
  const model = siteModel(deps.config, deps.catalog);
  const router = new Router();
  for (const [path, page] of Object.entries(SITE_PAGES)) {
    router.get(path, (ctx) => {
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.type = 'html';
      ctx.body = deps.render(page.template, { ...model, title: page.title, path });
    });
  }
  return router;
}
