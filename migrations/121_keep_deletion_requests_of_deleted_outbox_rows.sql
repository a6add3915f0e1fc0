-- A deletion request (a SET that asked an app to delete what a withdrawal took back) leaves its
-- record in purged_deletion_requests (migration 118) however its outbox row goes: the retention purge
-- wrote it itself, but deleting the app's stream takes its rows with it (ON DELETE CASCADE), delivered
-- ones included, and disabling the stream drops the pending ones (SSF 1.0 §8.1.2.2). Without the
-- record the jobseeker's history would then say the app was never asked (src/ssf/deletion-queries.ts).
-- One statement-level trigger, with the deleted rows as a transition table: a cascade of thousands of
-- rows is one INSERT, and the trigger fires for the cascade as for any DELETE.
CREATE FUNCTION ssf_outbox_keep_deletion_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO purged_deletion_requests (jti, client_id, consent_event_id, received_at)
  SELECT jti, client_id, consent_event_id, CASE WHEN state = 'delivered' THEN delivered_at END
    FROM gone
   WHERE consent_event_id IS NOT NULL
  -- the retention purge has already written its own
  ON CONFLICT (jti) DO NOTHING;
  RETURN NULL;
END;
$$;

CREATE TRIGGER ssf_outbox_keep_deletion_requests
  AFTER DELETE ON ssf_outbox
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION ssf_outbox_keep_deletion_requests();
