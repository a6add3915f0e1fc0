import type Koa from 'koa';

/** A form's answer (POST/redirect/GET): 303, so the browser follows with a GET. */
export function seeOther(ctx: Koa.Context, location: string): void {
  ctx.status = 303;
  ctx.redirect(location);
}
