// Where the primary's write-ahead log is, and whether a streaming replica has replayed past a point of
// it: the two facts read-your-writes routing needs (src/db/read-routing.ts).
import type { Queryable } from './pool.ts';

/** The primary's current WAL position; taken after a commit, it is past that commit's record. */
export async function currentWalPosition(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ lsn: string }>({
    name: 'wal-position',
    text: 'SELECT pg_current_wal_lsn()::text AS lsn',
  });
  return rows[0]?.lsn as string;
}

/**
 * True when this server is a standby that has replayed the WAL up to `lsn`, so that what committed
 * before it is visible. A server that is not in recovery (no replay position) answers false: it is
 * not the replica it was configured as, and the primary is asked instead.
 */
export async function replayedPast(db: Queryable, lsn: string): Promise<boolean> {
  const { rows } = await db.query<{ done: boolean | null }>({
    name: 'wal-replayed-past',
    text: 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done',
    values: [lsn],
  });
  return rows[0]?.done === true;
}
