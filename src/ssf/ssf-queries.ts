import type { Queryable } from '../db/pool.ts';
import type { OutboxEvent } from './ssf-events.ts';

export interface StreamRow {
  id: string;
  client_id: string;
  delivery_method: string;
  endpoint_url: string | null;
  authorization_header_sealed: string | null;
  events_requested: string[];
  events_delivered: string[];
  description: string | null;
  status: 'enabled' | 'paused' | 'disabled';
  status_reason: string | null;
  created_at: Date;
  updated_at: Date;
  failures: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  last_delivered_at: Date | null;
}

export interface NewStream {
  clientId: string;
  deliveryMethod: string;
  endpointUrl: string | null;
  authorizationHeaderSealed: string | null;
  eventsRequested: string[];
  eventsDelivered: string[];
  description: string | null;
}

/** A stream's configuration as both statements below number it, $2 to $7. */
const streamConfig = (s: Omit<NewStream, 'clientId'>) => [
  s.deliveryMethod,
  s.endpointUrl,
  s.authorizationHeaderSealed,
  s.eventsRequested,
  s.eventsDelivered,
  s.description,
];

/** undefined when the app already has a stream (one per app). */
export async function insertStream(db: Queryable, s: NewStream): Promise<StreamRow | undefined> {
  const { rows } = await db.query<StreamRow>(
    `INSERT INTO ssf_streams (client_id, delivery_method, endpoint_url, authorization_header_sealed,
                              events_requested, events_delivered, description)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (client_id) DO NOTHING RETURNING *`,
    [s.clientId, ...streamConfig(s)],
  );
  return rows[0];
}

export async function findStreamOfClient(db: Queryable, clientId: string): Promise<StreamRow | undefined> {
  const { rows } = await db.query<StreamRow>('SELECT * FROM ssf_streams WHERE client_id = $1', [clientId]);
  return rows[0];
}

export async function updateStreamConfig(db: Queryable, id: string, s: Omit<NewStream, 'clientId'>) {
  const { rows } = await db.query<StreamRow>(
    `UPDATE ssf_streams SET delivery_method = $2, endpoint_url = $3, authorization_header_sealed = $4,
            events_requested = $5, events_delivered = $6, description = $7, updated_at = now(),
            failures = 0, next_attempt_at = NULL, last_error = NULL
      WHERE id = $1 RETURNING *`,
    [id, ...streamConfig(s)],
  );
  return rows[0] as StreamRow;
}

export async function updateStreamStatus(db: Queryable, id: string, status: string, reason: string | null) {
  const { rows } = await db.query<StreamRow>(
    `UPDATE ssf_streams SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1 RETURNING *`,
    [id, status, reason],
  );
  // SSF 1.0 §8.1.2.2: a disabled stream drops what it holds; a paused one keeps it.
  if (status === 'disabled')
    await db.query("DELETE FROM ssf_outbox WHERE stream_id = $1 AND state = 'pending'", [id]);
  return rows[0] as StreamRow;
}

export async function deleteStream(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM ssf_streams WHERE id = $1', [id]);
}

export async function enqueueVerification(db: Queryable, stream: StreamRow, state: string | undefined) {
  await db.query(
    `INSERT INTO ssf_outbox (stream_id, client_id, event_type, extra)
     VALUES ($1, $2, 'https://schemas.openid.net/secevent/ssf/event-type/verification', $3)`,
    [stream.id, stream.client_id, state === undefined ? {} : { state }],
  );
}

const EVENT_COLUMNS = `o.seq::text AS seq, o.jti, o.stream_id, o.client_id, o.event_type, o.jobseeker_id,
  o.consent_event_id::text AS consent_event_id, o.withdrawn_fields, e.fields_after, o.initiating_entity,
  o.reason, o.extra, o.occurred_at`;

/** The oldest undelivered events of a stream, in the order they were queued. */
export async function pendingEvents(db: Queryable, streamId: string, limit: number): Promise<OutboxEvent[]> {
  const { rows } = await db.query<OutboxEvent>(
    `SELECT ${EVENT_COLUMNS}
       FROM ssf_outbox o LEFT JOIN consent_events e ON e.id = o.consent_event_id
      WHERE o.stream_id = $1 AND o.state = 'pending'
      ORDER BY o.seq LIMIT $2`,
    [streamId, limit],
  );
  return rows;
}

export interface ClaimedStream {
  id: string;
  client_id: string;
  endpoint_url: string;
  authorization_header_sealed: string | null;
  failures: number;
}

/**
 * Leases up to `limit` push streams that have an event due, for `leaseSeconds`: the candidates are
 * locked FOR UPDATE SKIP LOCKED, so instances claiming at the same moment take different streams,
 * and a stream leased by an instance that died is taken again once its lease is over.
 */
export async function claimDueStreams(
  db: Queryable,
  owner: string,
  limit: number,
  leaseSeconds: number,
): Promise<ClaimedStream[]> {
  const { rows } = await db.query<ClaimedStream>(
    `UPDATE ssf_streams SET lease_owner = $1, lease_until = now() + make_interval(secs => $3)
      WHERE id IN (
        SELECT s.id FROM ssf_streams s
         WHERE s.delivery_method = 'urn:ietf:rfc:8935' AND s.status = 'enabled'
           AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= now())
           AND (s.lease_until IS NULL OR s.lease_until < now())
           AND EXISTS (SELECT 1 FROM ssf_outbox o WHERE o.stream_id = s.id AND o.state = 'pending')
         ORDER BY s.next_attempt_at NULLS FIRST, s.id
         LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING id, client_id, endpoint_url, authorization_header_sealed, failures`,
    [owner, limit, leaseSeconds],
  );
  return rows;
}

/** Extends a lease this instance still holds; false when it lost it (then it must stop). */
export async function renewLease(db: Queryable, streamId: string, owner: string, leaseSeconds: number) {
  const { rowCount } = await db.query(
    `UPDATE ssf_streams SET lease_until = now() + make_interval(secs => $3)
      WHERE id = $1 AND lease_owner = $2 AND lease_until > now()`,
    [streamId, owner, leaseSeconds],
  );
  return rowCount === 1;
}

export async function releaseLease(db: Queryable, streamId: string, owner: string): Promise<void> {
  await db.query(
    'UPDATE ssf_streams SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2',
    [streamId, owner],
  );
}

/** One SET accepted (or, with an error, refused for good) by the receiver. */
export async function settleEvent(
  db: Queryable,
  streamId: string,
  jti: string,
  outcome: { rejected?: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE ssf_outbox SET state = $3, delivered_at = now(), attempts = attempts + 1, last_error = $4
      WHERE stream_id = $1 AND jti = $2 AND state = 'pending'`,
    [streamId, jti, outcome.rejected ? 'rejected' : 'delivered', outcome.rejected ?? null],
  );
  await db.query(
    `UPDATE ssf_streams SET failures = 0, next_attempt_at = NULL, last_delivered_at = now(),
            last_error = CASE WHEN $2::text IS NULL THEN NULL ELSE $2 END
      WHERE id = $1`,
    [streamId, outcome.rejected ?? null],
  );
  return rowCount === 1;
}

/** A failed push: the stream waits min(2^failures, maxSeconds) seconds, ±20 %, before its next try. */
export async function recordFailure(
  db: Queryable,
  streamId: string,
  jti: string,
  error: string,
  maxSeconds: number,
): Promise<void> {
  await db.query(
    `UPDATE ssf_outbox SET attempts = attempts + 1, last_error = $3 WHERE stream_id = $1 AND jti = $2`,
    [streamId, jti, error],
  );
  await db.query(
    `UPDATE ssf_streams SET failures = failures + 1, last_error = $2,
            next_attempt_at = now() + make_interval(secs => least(power(2, failures), $3) * (0.8 + random() * 0.4))
      WHERE id = $1`,
    [streamId, error, maxSeconds],
  );
}

export interface DeliveryState {
  client_id: string;
  stream_id: string;
  delivery_method: string;
  status: string;
  pending: number;
  delivered: number;
  rejected: number;
  failures: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  last_delivered_at: Date | null;
  oldest_pending_at: Date | null;
}

/** Per app, its stream's delivery state: what the admin console shows. */
export async function deliveryStates(db: Queryable, clientId?: string): Promise<DeliveryState[]> {
  const { rows } = await db.query<DeliveryState>(
    `SELECT s.client_id, s.id AS stream_id, s.delivery_method, s.status, s.failures, s.last_error,
            s.next_attempt_at, s.last_delivered_at,
            count(*) FILTER (WHERE o.state = 'pending')::int AS pending,
            count(*) FILTER (WHERE o.state = 'delivered')::int AS delivered,
            count(*) FILTER (WHERE o.state = 'rejected')::int AS rejected,
            min(o.occurred_at) FILTER (WHERE o.state = 'pending') AS oldest_pending_at
       FROM ssf_streams s LEFT JOIN ssf_outbox o ON o.stream_id = s.id
      WHERE $1::text IS NULL OR s.client_id = $1
      GROUP BY s.id`,
    [clientId ?? null],
  );
  return rows;
}
