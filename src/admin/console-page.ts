import type Koa from 'koa';
import type { Render } from '../http/render.ts';

/** A page of the admin console: its template, with the form token and the signed-in admin (header). */
export function consolePage(render: Render) {
  return (ctx: Koa.Context, template: string, model: Record<string, unknown>) => {
    ctx.type = 'html';
    ctx.body = render(template, { ...model, csrf: ctx.state._csrf, adminEmail: ctx.state.admin?.email });
  };
}
