// The access log's SQL: the buffered insert, and the upkeep of its monthly partitions (migration 082).
// Retention drops whole months: a partition is detached CONCURRENTLY (reads and inserts go on; only
// SHARE UPDATE EXCLUSIVE on the parent) and then dropped, which frees its disk at once and leaves no
// dead rows behind. Partition names come from the catalog and are checked against their pattern
// before they are written into a statement.
import type { Queryable } from '../db/pool.ts';
import type { AccessLogEntry } from './access-log.ts';

export async function insertAccessLogEntries(db: Queryable, entries: AccessLogEntry[]): Promise<void> {
  if (!entries.length) return;
  await db.query(
    `INSERT INTO access_log (jobseeker_id, client_id, scope, fields, read_at, api)
     SELECT e.jobseeker_id, e.client_id, e.scope, ARRAY(SELECT jsonb_array_elements_text(e.fields)), e.read_at, e.api
       FROM jsonb_to_recordset($1::jsonb) AS e(jobseeker_id uuid, client_id text, scope text, fields jsonb, read_at timestamptz, api text)`,
    [
      JSON.stringify(
        entries.map((e) => ({
          jobseeker_id: e.jobseekerId,
          client_id: e.clientId,
          scope: e.scope,
          fields: e.fields,
          read_at: e.readAt,
          api: e.api ?? null,
        })),
      ),
    ],
  );
}

/** Creates the monthly partitions from `from` months before now to `ahead` months after; returns how many. */
export async function ensureAccessLogPartitions(db: Queryable, ahead: number, from = 0): Promise<number> {
  const { rows } = await db.query<{ created: number }>(
    `SELECT access_log_ensure_partitions(now() - make_interval(months => $1), now() + make_interval(months => $2)) AS created`,
    [from, ahead],
  );
  return rows[0]?.created ?? 0;
}

export interface AccessLogPartition {
  name: string;
  /** null for the partition of the rows from before partitioning (FROM MINVALUE) */
  from: Date | null;
  /** null for a table left detached by an interrupted drop */
  to: Date | null;
  attached: boolean;
  detachPending: boolean;
}

const PARTITION_NAME = /^access_log_(\d{4}_\d{2}|legacy)$/;

/** The monthly partitions and the old table's, attached or left detached by an interrupted drop. */
export async function listAccessLogPartitions(db: Queryable): Promise<AccessLogPartition[]> {
  const { rows } = await db.query<{
    name: string;
    from_at: Date | null;
    to_at: Date | null;
    attached: boolean;
    detach_pending: boolean;
  }>(
    `SELECT c.relname AS name,
            substring(b.bound FROM 'FROM \\(''([^'']+)''\\)')::timestamptz AS from_at,
            CASE WHEN i.inhrelid IS NULL AND c.relname ~ '^access_log_[0-9]{4}_[0-9]{2}$'
                 THEN (to_date(substring(c.relname FROM '[0-9]{4}_[0-9]{2}$'), 'YYYY_MM')::timestamp
                       + interval '1 month') AT TIME ZONE 'UTC'
                 ELSE substring(b.bound FROM 'TO \\(''([^'']+)''\\)')::timestamptz END AS to_at,
            i.inhrelid IS NOT NULL AS attached,
            coalesce(i.inhdetachpending, false) AS detach_pending
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
       LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = 'access_log'::regclass
       CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b
      WHERE c.relkind = 'r' AND c.relname ~ '^access_log_([0-9]{4}_[0-9]{2}|legacy)$'
      ORDER BY to_at NULLS LAST`,
  );
  return rows
    .filter((r) => PARTITION_NAME.test(r.name))
    .map((r) => ({
      name: r.name,
      from: r.from_at,
      to: r.to_at,
      attached: r.attached,
      detachPending: r.detach_pending,
    }));
}

function identifier(name: string): string {
  if (!PARTITION_NAME.test(name)) throw new Error(`not an access-log partition: ${name}`);
  return `"${name}"`;
}

/**
 * Detaches a partition without blocking reads or inserts of the parent (PostgreSQL waits for the
 * queries that may still see it instead). Not in a transaction: DETACH … CONCURRENTLY runs two of its
 * own. A detach interrupted half-way (the partition left "pending") is finished with FINALIZE.
 */
export async function detachAccessLogPartition(db: Queryable, partition: AccessLogPartition): Promise<void> {
  const how = partition.detachPending ? 'FINALIZE' : 'CONCURRENTLY';
  await db.query(`ALTER TABLE access_log DETACH PARTITION ${identifier(partition.name)} ${how}`);
}

export async function dropDetachedAccessLogTable(db: Queryable, name: string): Promise<void> {
  // Only ever a table that is no longer a partition: dropping an attached one would lock the parent.
  const { rowCount } = await db.query(
    `SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass($1) AND inhparent = 'access_log'::regclass`,
    [name],
  );
  if (rowCount) throw new Error(`${name} is still attached to access_log`);
  await db.query(`DROP TABLE IF EXISTS ${identifier(name)}`);
}

/**
 * The rows from before partitioning are in one partition that can only be dropped once its last day
 * is past the retention; until then its expired rows are deleted in batches, as before partitioning
 * (its read_at index serves the ORDER BY; rows are found again by ctid, a TID scan, since the old
 * primary key is gone). The caller loops with pauses.
 */
export async function purgeLegacyAccessLog(
  db: Queryable,
  retentionDays: number,
  batch: number,
): Promise<number> {
  const result = await db.query(
    `DELETE FROM access_log_legacy WHERE ctid = ANY (ARRAY(
       SELECT ctid FROM access_log_legacy WHERE read_at < now() - make_interval(days => $1) ORDER BY read_at LIMIT $2
     ))`,
    [retentionDays, batch],
  );
  return result.rowCount ?? 0;
}
