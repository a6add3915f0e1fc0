// Form bodies of our own pages (consent, /account, the admin console), parsed by co-body — the parser
// @koa/bodyparser wraps, which does not pass qs options through. Its qs default turns a field repeated
// more than 20 times into an object keyed by index: a consent page whose jobseeker ticks every field of
// a rich app one by one would be refused. The limit here is the catalog's order of magnitude, not 20;
// the byte limit still bounds the work.
import coBody from 'co-body';
import type Koa from 'koa';

const PARSED_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export function formBody(limit = '64kb'): Koa.Middleware {
  return async (ctx, next) => {
    if (PARSED_METHODS.has(ctx.method) && ctx.request.body === undefined && ctx.is('urlencoded')) {
      ctx.request.body = await coBody.form(ctx, {
        limit,
        queryString: { arrayLimit: 500, parameterLimit: 1000 },
      });
    }
    await next();
  };
}
