-- Every read of a jobseeker's data by an app: which scope, which fields were returned, when. Rows are
-- only ever inserted (in batches, see src/api/access-log.ts) and purged after the retention period,
-- so a busy app never turns reads into contended updates.
CREATE TABLE access_log (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  jobseeker_id uuid        NOT NULL,
  client_id    text        NOT NULL,
  scope        text        NOT NULL,
  fields       text[]      NOT NULL,
  read_at      timestamptz NOT NULL
);
-- The dashboard pages a jobseeker's reads newest first, and counts an app's reads over 30 days.
CREATE INDEX access_log_jobseeker_read_at_idx ON access_log (jobseeker_id, read_at DESC, id DESC);
CREATE INDEX access_log_jobseeker_client_idx ON access_log (jobseeker_id, client_id, scope, read_at);
-- The retention purge walks the oldest rows.
CREATE INDEX access_log_read_at_idx ON access_log (read_at);

-- An expired consent becomes a state of its own, recorded by the expiry job with an 'expired' event.
ALTER TABLE consents DROP CONSTRAINT consents_status_check;
ALTER TABLE consents ADD CONSTRAINT consents_status_check CHECK (status IN ('active', 'revoked', 'expired'));
CREATE INDEX consents_expiring_idx ON consents (expires_at) WHERE status = 'active';
