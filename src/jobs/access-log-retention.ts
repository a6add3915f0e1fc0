// The access log's months (migration 082): the partitions ahead are created before they are needed,
// and a month is dropped whole once every read in it is older than the retention, so that the
// retention costs one catalog change a month instead of a delete per read. Rows older than the
// retention that are still in the newest expired month stay on disk until that month goes (31 days
// at most) but are never shown: every read of the log bounds read_at by the retention
// (src/dashboard/dashboard-queries.ts, src/clients/client-queries.ts).
// Safe on several instances at once: creation is serialised by a transaction lock inside the SQL
// function; two instances dropping the same month collide harmlessly (the loser's statement fails,
// is logged at debug and the month is dropped by the winner).
import type { Logger } from 'pino';
import {
  type AccessLogPartition,
  detachAccessLogPartition,
  dropDetachedAccessLogTable,
  ensureAccessLogPartitions,
  listAccessLogPartitions,
  purgeLegacyAccessLog,
} from '../api/access-log-queries.ts';
import type { Pool } from '../db/pool.ts';

/** Months created ahead of the current one: an instance may run that long without housekeeping. */
export const MONTHS_AHEAD = 3;
const DAY_MS = 86_400_000;

export const createAccessLogPartitions = (pool: Pool) => ensureAccessLogPartitions(pool, MONTHS_AHEAD);

export function isExpired(partition: AccessLogPartition, retentionDays: number, now = Date.now()): boolean {
  return partition.to !== null && partition.to.getTime() <= now - retentionDays * DAY_MS;
}

export interface RetentionRun {
  partitionsCreated: number;
  partitionsDropped: string[];
}

export async function dropExpiredAccessLogMonths(
  pool: Pool,
  retentionDays: number,
  logger?: Logger,
): Promise<RetentionRun> {
  const partitionsCreated = await createAccessLogPartitions(pool);
  const partitionsDropped: string[] = [];
  for (const partition of await listAccessLogPartitions(pool)) {
    // A table left detached by an interrupted run has no bound: its month (from its name) decides.
    if (
      !isExpired(partition, retentionDays) &&
      !(partition.name === 'access_log_legacy' && !partition.attached)
    )
      continue;
    try {
      if (partition.attached) await detachAccessLogPartition(pool, partition);
      await dropDetachedAccessLogTable(pool, partition.name);
      partitionsDropped.push(partition.name);
    } catch (err) {
      logger?.debug(
        { err: { message: (err as Error).message }, partition: partition.name },
        'access-log partition not dropped by this instance',
      );
    }
  }
  return { partitionsCreated, partitionsDropped };
}

/** The old table's expired rows, one batch (0 when it is gone): see purgeLegacyAccessLog. */
export async function purgeLegacyRows(pool: Pool, retentionDays: number, batch: number): Promise<number> {
  const legacy = (await listAccessLogPartitions(pool)).some(
    (p) => p.name === 'access_log_legacy' && p.attached,
  );
  return legacy ? purgeLegacyAccessLog(pool, retentionDays, batch) : 0;
}
