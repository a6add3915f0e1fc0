// The retention of the two outboxes, ssf_outbox (SETs) and backchannel_logouts (Logout Tokens),
// migration 118. A settled request — delivered, or rejected for good — has done its work: it goes
// `deliveredDays` after it was settled. An unsettled one stays, retried (push) or offered again to every
// poll until acknowledged (RFC 8936 §2.4: the transmitter keeps a SET until the receiver acknowledges
// it), for `undeliveredDays` after it was queued: past that the receiver is taken to be gone for good
// and the request is dropped, as a disabled stream drops what it holds (SSF 1.0 §8.1.2.2).
// A request that asked the app to delete what a withdrawal took back leaves behind its jti, app and
// consent event, and when the app received it (purged_deletion_requests), so that the jobseeker's
// history still says it was sent and the app can still confirm the deletion.
import type { Queryable } from '../db/pool.ts';

const OUTBOXES = ['ssf_outbox', 'backchannel_logouts'] as const;
export type Outbox = (typeof OUTBOXES)[number];
export const outboxes: readonly Outbox[] = OUTBOXES;

/**
 * Deletes up to `batch` expired requests of one outbox, the oldest first, along its settled or
 * unsettled index; returns how many. Rows another transaction holds (a delivery settling them) are
 * skipped, taken by the next run.
 */
export async function purgeOutbox(
  db: Queryable,
  outbox: Outbox,
  which: 'delivered' | 'undelivered',
  days: number,
  batch: number,
): Promise<number> {
  const due =
    which === 'delivered'
      ? `state <> 'pending' AND delivered_at < now() - make_interval(days => $1) ORDER BY delivered_at`
      : `state = 'pending' AND occurred_at < now() - make_interval(days => $1) ORDER BY occurred_at`;
  const { rows } = await db.query<{ n: number }>(
    `WITH doomed AS (
       SELECT seq FROM ${outbox} WHERE ${due} LIMIT $2 FOR UPDATE SKIP LOCKED),
     gone AS (
       DELETE FROM ${outbox} o USING doomed d WHERE o.seq = d.seq
       RETURNING o.jti, o.client_id, o.consent_event_id, o.state, o.delivered_at),
     kept AS (
       INSERT INTO purged_deletion_requests (jti, client_id, consent_event_id, received_at)
       SELECT jti, client_id, consent_event_id, CASE WHEN state = 'delivered' THEN delivered_at END
         FROM gone WHERE consent_event_id IS NOT NULL
       ON CONFLICT (jti) DO NOTHING)
     SELECT count(*)::int AS n FROM gone`,
    [days, batch],
  );
  return rows[0]?.n ?? 0;
}
