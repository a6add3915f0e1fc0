-- The outboxes' retention (src/ssf/outbox-retention-queries.ts, run by the housekeeping job): a SET
-- or a Logout Token is deleted SSF_DELIVERED_RETENTION_DAYS after it was settled — delivered (pushed
-- and accepted, or acknowledged by a poll, RFC 8936 §2.4) or rejected for good — and one never settled
-- SSF_UNDELIVERED_RETENTION_DAYS after it was queued (or with its stream, ON DELETE CASCADE). Deletes
-- go in batches along these indexes, the oldest first.
CREATE INDEX ssf_outbox_settled_idx ON ssf_outbox (delivered_at) WHERE state <> 'pending';
CREATE INDEX ssf_outbox_unsettled_idx ON ssf_outbox (occurred_at) WHERE state = 'pending';
CREATE INDEX backchannel_logouts_settled_idx ON backchannel_logouts (delivered_at) WHERE state <> 'pending';
CREATE INDEX backchannel_logouts_unsettled_idx ON backchannel_logouts (occurred_at) WHERE state = 'pending';

-- What the jobseeker's history and « données supprimées » still need of a purged request that asked
-- an app to delete what a withdrawal took back (src/ssf/deletion-queries.ts): that it was sent, when
-- it was received, and its jti, which the app names to confirm the deletion.
CREATE TABLE purged_deletion_requests (
  jti              uuid        PRIMARY KEY,
  client_id        text        NOT NULL,
  consent_event_id bigint      NOT NULL,
  -- when the app received it; null if it never did (rejected, or dropped unsettled)
  received_at      timestamptz
);
CREATE INDEX purged_deletion_requests_consent_event_idx ON purged_deletion_requests (consent_event_id);
