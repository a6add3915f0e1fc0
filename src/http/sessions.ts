// Sessions of our own pages with koa-session, stored server-side in PostgreSQL under a hash of the
// cookie value (a database read cannot be replayed as a cookie), so they hold across instances and
// expire on the server, not only in the browser.
import { createHash } from 'node:crypto';
import type Koa from 'koa';
import session from 'koa-session';
import type { Pool } from '../db/pool.ts';
import { deleteSession, findSession, saveSession } from './session-queries.ts';

const hashId = (id: string) => createHash('sha256').update(id).digest('base64url');

export function sessionMiddleware(
  app: Koa,
  pool: Pool,
  options: { secure: boolean; maxAgeMs: number },
): Koa.Middleware {
  return session(
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
        get: (key: string) => findSession(pool, hashId(key)),
        set: (key: string, data: object, maxAge: number) =>
          saveSession(pool, hashId(key), data, typeof maxAge === 'number' ? maxAge : options.maxAgeMs),
        destroy: (key: string) => deleteSession(pool, hashId(key)),
      },
    },
    app,
  ) as unknown as Koa.Middleware;
}
