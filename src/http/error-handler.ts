// Turns any error into a clear 4xx/5xx: JSON { error, error_description } for API callers, a French
// HTML page for people. A 500 never shows its message, a stack trace or SQL.
import type Koa from 'koa';
import { isDatabaseUnavailable, isUnstorableText } from '../db/pool.ts';
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
  if (isUnstorableText(err)) {
    return {
      status: 400,
      code: 'invalid_request',
      message: 'La demande contient des caractères non autorisés.',
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

// oidc-provider's machine-to-machine endpoints answer JSON whatever the Accept header says; an error
// raised by our own middleware in front of them (a database outage, say) must too.
const RETRY_AFTER = '5'; // seconds

// ssf: the security event streams' endpoints (src/ssf/).
const PROTOCOL_JSON = /^\/(token|me|reg|request|jwks|ssf|\.well-known)(\/|$)/;

export function errorHandler(render: Render): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      // oidc-provider answers its own errors (a ServiceUnavailable from the adapter becomes a 503
      // there): the header that tells clients when to come back is added here.
      if (ctx.status === 503 && !ctx.response.get('Retry-After')) ctx.set('Retry-After', RETRY_AFTER);
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
      if (status === 503) ctx.set('Retry-After', RETRY_AFTER);
      const wantsJson =
        /^\/(admin\/)?api\//.test(ctx.path) || PROTOCOL_JSON.test(ctx.path) || !ctx.accepts('html');
      if (wantsJson) {
        ctx.body = { error: code, error_description: message };
      } else {
        ctx.type = 'html';
        const page = err instanceof AppError ? err.page : undefined;
        ctx.body = render('error', {
          title: page?.heading ?? 'Une erreur est survenue',
          message,
          // A page that says what happened and what to do needs no protocol code.
          code: page ? undefined : code,
          detail: undefined,
          reference: status >= 500 ? ctx.state.requestId : undefined,
          ...page,
        });
      }
    }
  };
}
