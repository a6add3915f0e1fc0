import type { Queryable } from './pool.ts';

/** The tables whose rows carry their own `expires_at` and go once it has passed. */
type ExpiringTable = 'oidc_models' | 'dpop_jti';

// Deletes at most `batch` expired rows, the oldest first; the caller loops with pauses so traffic is
// never blocked. The table is one of the names above, never input.
export async function purgeExpiredRows(db: Queryable, table: ExpiringTable, batch: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM ${table} WHERE ctid IN (
       SELECT ctid FROM ${table} WHERE expires_at < now() ORDER BY expires_at LIMIT $1
     )`,
    [batch],
  );
  return result.rowCount ?? 0;
}
