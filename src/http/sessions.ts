// Sessions of our own pages with koa-session, stored server-side in PostgreSQL under a hash of the
// cookie value (a database read cannot be replayed as a cookie), so they hold across instances and
// expire on the server, not only in the browser. Guarantees:
// - A session is stored only once it holds something (a sign-in or a step of one): looking at pages
//   stores nothing (CSRF needs no session, csrf.ts), and a session emptied by a sign-out is deleted,
//   row and cookie.
import type Koa from 'koa';
import session from 'koa-session';
import { tokenHash } from '../crypto/token-hash.ts';
import type { Pool } from '../db/pool.ts';
import { deleteSession, findSession, saveSession } from './session-queries.ts';

export function sessionMiddleware(
  app: Koa,
  pool: Pool,
  options: { secure: boolean; maxAgeMs: number },
): Koa.Middleware {
  const sessions = session(
    {
      key: 'pec.sid',
      maxAge: options.maxAgeMs,
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secure,
      signed: true,
      rolling: false,
      renew: false,
      store: {
        get: (key: string) => findSession(pool, tokenHash(key)),
        set: (key: string, data: object, maxAge: number) =>
          saveSession(pool, tokenHash(key), data, typeof maxAge === 'number' ? maxAge : options.maxAgeMs),
        destroy: (key: string) => deleteSession(pool, tokenHash(key)),
      },
    },
    app,
  ) as unknown as Koa.Middleware;
  return (ctx, next) =>
    sessions(ctx, async () => {
      await next();
      // A stored session that no longer holds anything (its last sign-out) goes, rather than lingering.
      const current = ctx.session;
      if (current && !current.isNew && current.length === 0) ctx.session = null;
    });
}
