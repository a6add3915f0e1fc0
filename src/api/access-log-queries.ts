import type { Queryable } from '../db/pool.ts';
import type { AccessLogEntry } from './access-log.ts';

export async function insertAccessLogEntries(db: Queryable, entries: AccessLogEntry[]): Promise<void> {
  if (!entries.length) return;
  await db.query(
    `INSERT INTO access_log (jobseeker_id, client_id, scope, fields, read_at)
     SELECT e.jobseeker_id, e.client_id, e.scope, ARRAY(SELECT jsonb_array_elements_text(e.fields)), e.read_at
       FROM jsonb_to_recordset($1::jsonb) AS e(jobseeker_id uuid, client_id text, scope text, fields jsonb, read_at timestamptz)`,
    [
      JSON.stringify(
        entries.map((e) => ({
          jobseeker_id: e.jobseekerId,
          client_id: e.clientId,
          scope: e.scope,
          fields: e.fields,
          read_at: e.readAt,
        })),
      ),
    ],
  );
}

// Deletes up to `batch` entries older than the retention period; the caller loops with pauses.
export async function purgeAccessLog(db: Queryable, retentionDays: number, batch: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM access_log WHERE id IN (
       SELECT id FROM access_log WHERE read_at < now() - make_interval(days => $1) ORDER BY read_at LIMIT $2
     )`,
    [retentionDays, batch],
  );
  return result.rowCount ?? 0;
}
