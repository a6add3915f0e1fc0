import type { Queryable } from '../db/pool.ts';

/**
 * Records that the app deleted what the consent event behind `jti` (one of its SETs or Logout
 * Tokens) took back. undefined when no request of this app has that jti; the first confirmation stands.
 */
export async function confirmDeletion(
  db: Queryable,
  clientId: string,
  jti: string,
): Promise<{ consent_event_id: string; confirmed_at: Date } | undefined> {
  const { rows } = await db.query<{ consent_event_id: string; confirmed_at: Date }>(
    `WITH asked AS (
       SELECT consent_event_id FROM ssf_outbox WHERE client_id = $1 AND jti = $2 AND consent_event_id IS NOT NULL
       UNION ALL
       SELECT consent_event_id FROM backchannel_logouts
        WHERE client_id = $1 AND jti = $2 AND consent_event_id IS NOT NULL
       UNION ALL
       -- a request since purged from its outbox (migration 118)
       SELECT consent_event_id FROM purged_deletion_requests WHERE client_id = $1 AND jti = $2
       LIMIT 1),
     inserted AS (
       INSERT INTO deletion_confirmations (consent_event_id, client_id, jti)
       SELECT consent_event_id, $1, $2 FROM asked
       ON CONFLICT (consent_event_id) DO NOTHING
       RETURNING consent_event_id, confirmed_at)
     SELECT consent_event_id::text, confirmed_at FROM inserted
     UNION ALL
     SELECT d.consent_event_id::text, d.confirmed_at FROM deletion_confirmations d JOIN asked a USING (consent_event_id)
     LIMIT 1`,
    [clientId, jti],
  );
  return rows[0];
}

export interface DeletionState {
  consent_event_id: string;
  /** a request was queued for the app (a SET or a Logout Token) */
  queued: boolean;
  /** when the app first received it */
  sent_at: Date | null;
  confirmed_at: Date | null;
}

/** Where each of these consent events' deletion requests stands, purged ones included (migration 118). */
export async function deletionStates(db: Queryable, consentEventIds: string[]): Promise<DeletionState[]> {
  if (!consentEventIds.length) return [];
  const { rows } = await db.query<DeletionState>(
    `SELECT id::text AS consent_event_id,
            EXISTS (SELECT 1 FROM ssf_outbox o WHERE o.consent_event_id = e.id)
              OR EXISTS (SELECT 1 FROM backchannel_logouts b WHERE b.consent_event_id = e.id)
              OR EXISTS (SELECT 1 FROM purged_deletion_requests p WHERE p.consent_event_id = e.id) AS queued,
            least((SELECT min(delivered_at) FROM ssf_outbox o WHERE o.consent_event_id = e.id AND o.state = 'delivered'),
                  (SELECT min(delivered_at) FROM backchannel_logouts b
                    WHERE b.consent_event_id = e.id AND b.state = 'delivered'),
                  (SELECT min(received_at) FROM purged_deletion_requests p WHERE p.consent_event_id = e.id)) AS sent_at,
            (SELECT confirmed_at FROM deletion_confirmations d WHERE d.consent_event_id = e.id) AS confirmed_at
       FROM unnest($1::bigint[]) AS e(id)`,
    [consentEventIds],
  );
  return rows;
}
