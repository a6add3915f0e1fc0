// Read-your-writes for the pages (src/db/read-routing.ts): after every POST of a page, the primary's
// WAL position is kept in the visitor's session (only when a replica is configured), and a page that
// can read from the replica asks `readerFor(ctx)` where to read. The session itself always lives on
// the primary, so the position is seen by every instance on the next request.
import type Koa from 'koa';
import type { Queryable } from '../db/pool.ts';
import type { ReadRouting } from '../db/read-routing.ts';

interface ReadAfter {
  /** the primary's WAL position after this visitor's last write */
  readAfter?: string;
}

declare module 'koa' {
  interface DefaultState {
    readRouting?: ReadRouting;
  }
}

export function readYourWrites(routing: ReadRouting): Koa.Middleware {
  return async (ctx, next) => {
    ctx.state.readRouting = routing;
    try {
      await next();
    } finally {
      // Whatever the outcome: a write may have committed before a later step failed.
      const session = ctx.session as unknown as ReadAfter | null;
      if (routing.replica && ctx.method === 'POST' && session) {
        const position = await routing.writePosition().catch(() => undefined);
        if (position) session.readAfter = position;
      }
    }
  };
}

/** The primary, or the replica once it has replayed this visitor's last write. */
export async function readerFor(ctx: Koa.Context): Promise<Queryable | undefined> {
  const routing = ctx.state.readRouting;
  if (!routing?.replica) return undefined;
  const session = ctx.session as unknown as ReadAfter | null;
  const { db, caughtUp } = await routing.readerFor(session?.readAfter);
  if (caughtUp && session?.readAfter) delete session.readAfter;
  return db;
}
