import type { Queryable } from '../db/pool.ts';

export interface DueLogout {
  jti: string;
  client_id: string;
  jobseeker_id: string;
  backchannel_logout_uri: string | null;
  high_assurance: boolean;
}

/**
 * Leases up to `limit` Logout Tokens due now (FOR UPDATE SKIP LOCKED: each goes to one instance; a
 * lease left by an instance that died runs out). Each token stands alone: no order to keep.
 */
export async function claimDueLogouts(
  db: Queryable,
  owner: string,
  limit: number,
  leaseSeconds: number,
): Promise<DueLogout[]> {
  const { rows } = await db.query<DueLogout>(
    `WITH due AS (
       UPDATE backchannel_logouts SET lease_owner = $1, lease_until = now() + make_interval(secs => $3)
        WHERE seq IN (
          SELECT seq FROM backchannel_logouts
           WHERE state = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
           ORDER BY next_attempt_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING jti, client_id, jobseeker_id)
     SELECT due.*, c.backchannel_logout_uri, c.high_assurance FROM due JOIN clients c ON c.id = due.client_id`,
    [owner, limit, leaseSeconds],
  );
  return rows;
}

export async function settleLogout(db: Queryable, jti: string, rejected?: string): Promise<void> {
  await db.query(
    `UPDATE backchannel_logouts SET state = $2, delivered_at = now(), attempts = attempts + 1, last_error = $3,
            lease_owner = NULL, lease_until = NULL
      WHERE jti = $1`,
    [jti, rejected ? 'rejected' : 'delivered', rejected ?? null],
  );
}

export async function retryLogout(db: Queryable, jti: string, error: string, maxSeconds: number) {
  await db.query(
    `UPDATE backchannel_logouts SET attempts = attempts + 1, last_error = $2, lease_owner = NULL, lease_until = NULL,
            next_attempt_at = now() + make_interval(secs => least(power(2, attempts), $3) * (0.8 + random() * 0.4))
      WHERE jti = $1`,
    [jti, error, maxSeconds],
  );
}

export interface LogoutDeliveryState {
  pending: number;
  delivered: number;
  rejected: number;
  last_error: string | null;
  next_attempt_at: Date | null;
}

export async function logoutDeliveryState(db: Queryable, clientId: string): Promise<LogoutDeliveryState> {
  const { rows } = await db.query<LogoutDeliveryState>(
    `SELECT count(*) FILTER (WHERE state = 'pending')::int AS pending,
            count(*) FILTER (WHERE state = 'delivered')::int AS delivered,
            count(*) FILTER (WHERE state = 'rejected')::int AS rejected,
            (array_agg(last_error ORDER BY seq DESC) FILTER (WHERE state = 'pending' AND last_error IS NOT NULL))[1]
              AS last_error,
            min(next_attempt_at) FILTER (WHERE state = 'pending' AND attempts > 0) AS next_attempt_at
       FROM backchannel_logouts WHERE client_id = $1`,
    [clientId],
  );
  return rows[0] as LogoutDeliveryState;
}
