import type { Queryable } from '../db/pool.ts';

/** Records a DPoP proof's jti; false when it was already used (a replay), by this instance or another. */
export async function recordDpopJti(
  db: Queryable,
  jkt: string,
  jti: string,
  lifetimeSeconds: number,
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO dpop_jti (jkt, jti, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
     ON CONFLICT DO NOTHING`,
    [jkt, jti, lifetimeSeconds],
  );
  return result.rowCount === 1;
}

export async function purgeExpiredDpopJti(db: Queryable, batch: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM dpop_jti WHERE ctid IN (
       SELECT ctid FROM dpop_jti WHERE expires_at < now() ORDER BY expires_at LIMIT $1
     )`,
    [batch],
  );
  return result.rowCount ?? 0;
}
