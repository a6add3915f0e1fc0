// Reads that may be served by a streaming replica (DATABASE_READ_URL): the jobseeker's dashboard,
// history, access-log and export pages. Guarantee: a jobseeker always sees their own changes at once.
// After each write of theirs, the primary's WAL position, taken after the commit, is kept in their
// session; their reads go to the replica only once it has replayed past that position
// (pg_last_wal_replay_lsn() >= it), and to the primary until then. This is exact whatever the lag
// (a fixed window after a write would be wrong whenever the replica lags more than the window, e.g.
// under a long query or a paused replay), and costs one small query on the replica per read only
// while a write is pending, then nothing. Other people's changes (an app's reads, an admin's
// import) reach these pages with the replica's lag. Authentication, sessions, CSRF and every write
// stay on the primary, and so does every read when no replica is configured or it cannot be reached.
import type { Logger } from 'pino';
import { isDatabaseUnavailable, type Pool, type Queryable } from './pool.ts';
import { currentWalPosition, replayedPast } from './replication-queries.ts';

export interface ReadRouting {
  readonly replica: boolean;
  /** the primary's WAL position now (after the caller's commit), or undefined without a replica */
  writePosition(): Promise<string | undefined>;
  /**
   * Where a reader whose last write is at `after` may read; `caughtUp` says the replica has it (the
   * position can be forgotten).
   */
  readerFor(after: string | undefined): Promise<{ db: Queryable; caughtUp: boolean }>;
}

export function createReadRouting(
  primary: Pool,
  replicaPool: Pool | undefined,
  logger?: Logger,
): ReadRouting {
  let warned = 0;
  const warn = (err: unknown) => {
    // At most one warning a minute: a replica that is down would otherwise log on every page.
    if (Date.now() - warned > 60_000) {
      warned = Date.now();
      logger?.warn(
        { err: { message: (err as Error).message } },
        'read replica unreachable: reading from the primary',
      );
    }
  };
  // A replica that cannot answer (down, too slow) costs a page nothing but time: each of its
  // queries is then run on the primary.
  const replica =
    replicaPool &&
    new Proxy(replicaPool, {
      get(target, prop, receiver) {
        if (prop !== 'query') return Reflect.get(target, prop, receiver);
        return (...args: Parameters<Pool['query']>) =>
          (target.query as (...a: unknown[]) => Promise<unknown>)(...args).catch((err: unknown) => {
            if (!isDatabaseUnavailable(err)) throw err;
            warn(err);
            return (primary.query as (...a: unknown[]) => Promise<unknown>)(...args);
          });
      },
    });
  const fallBack = (err: unknown) => {
    warn(err);
    return { db: primary, caughtUp: false };
  };
  return {
    replica: replica !== undefined,
    async writePosition() {
      return replica ? currentWalPosition(primary) : undefined;
    },
    async readerFor(after) {
      if (!replica) return { db: primary, caughtUp: true };
      if (!after) return { db: replica, caughtUp: true };
      try {
        return (await replayedPast(replicaPool as Pool, after))
          ? { db: replica, caughtUp: true }
          : { db: primary, caughtUp: false };
      } catch (err) {
        return fallBack(err);
      }
    },
  };
}
