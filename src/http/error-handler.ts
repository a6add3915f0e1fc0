// Turns any error into a clear 4xx/5xx: JSON { error, error_description } for API callers, a French
// HTML page for people. A 500 never shows its message, a stack trace or SQL.
import type Koa from 'koa';
import { isDatabaseUnavailable } from '../db/pool.ts';
import { AppError } from './app-error.ts';
import type { Render } from './render.ts';

type HttpishError = Error & {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  code?: string;
  error?: string;
};

function classify(err: HttpishError): { status: number; code: string; message: string } {
  if (err instanceof AppError) {
    return { status: err.status, code: err.code, message: err.expose ? err.message : 'Erreur interne' };
  }
  if (isDatabaseUnavailable(err) || err.statusCode === 503 || err.status === 503) {
    return {
      status: 503,
      code: 'temporarily_unavailable',
      message: 'Service momentanément indisponible, réessayez.',
    };
  }
  const status = err.status ?? err.statusCode ?? 500;
  if (status >= 400 && status < 500 && err.expose !== false) {
    return {
      status,
      code: err.error ?? (status === 403 ? 'forbidden' : 'invalid_request'),
      message: err.message,
    };
  }
  return { status: 500, code: 'server_error', message: 'Erreur interne' };
}

export function errorHandler(render: Render): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined)
        throw new AppError(404, 'not_found', 'Page introuvable');
    } catch (caught) {
      const err = caught as HttpishError;
      const { status, code, message } = classify(err);
      if (status >= 500)
        ctx.state.log?.error(
          { err: { name: err.name, message: err.message, stack: err.stack } },
          'request failed',
        );
      ctx.status = status;
      if (status === 503) ctx.set('Retry-After', '5');
      const wantsJson = /^\/(admin\/)?api\//.test(ctx.path) || !ctx.accepts('html');
      if (wantsJson) {
        ctx.body = { error: code, error_description: message };
      } else {
        ctx.type = 'html';
        ctx.body = render('error', { title: 'Une erreur est survenue', message, code, detail: undefined });
      }
    }
  };
}
