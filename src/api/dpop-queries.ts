import { purgeExpiredRows } from '../db/expired-rows.ts';
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

export const purgeExpiredDpopJti = (db: Queryable, batch: number): Promise<number> =>
  purgeExpiredRows(db, 'dpop_jti', batch);
