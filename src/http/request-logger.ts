// One log line per request with a request id (also returned as X-Request-Id). Only the path is
// logged: query strings carry codes, state and sometimes tokens.
import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import type { Logger } from 'pino';
import { requestLineLogger } from '../logger.ts';

declare module 'koa' {
  interface DefaultState {
    requestId: string;
    log: Logger;
  }
}

export function requestLogger(logger: Logger): Koa.Middleware {
  const lines = requestLineLogger(logger);
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    ctx.state.requestId = requestId;
    // A child logger costs an object and a serialised binding; most requests never log beyond their
    // one line, so it is made only when something asks for it.
    let child: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', {
      get: () => {
        child ??= logger.child({ requestId });
        return child;
      },
      configurable: true,
    });
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      lines.info(
        { requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    }
  };
}
