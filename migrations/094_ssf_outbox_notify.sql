-- Wakes the delivery workers as soon as an event or a Logout Token is queued (src/ssf/outbox-wakeup.ts):
-- NOTIFY is delivered at commit, and only if the transaction commits, so a rolled-back change wakes
-- nobody. The workers' periodic pass (SSF_DELIVERY_INTERVAL_MS) stays, for a missed notification
-- and for connections (PgBouncer in transaction mode) where LISTEN does not work.
CREATE OR REPLACE FUNCTION ssf_enqueue(
  p_client_id text, p_event_type text, p_jobseeker_id uuid, p_consent_event_id bigint,
  p_fields text[], p_initiating_entity text, p_reason text, p_occurred_at timestamptz
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  queued integer := 0;
  n integer;
BEGIN
  INSERT INTO ssf_outbox (stream_id, client_id, event_type, jobseeker_id, consent_event_id, withdrawn_fields,
                          initiating_entity, reason, occurred_at)
  SELECT s.id, p_client_id, p_event_type, p_jobseeker_id, p_consent_event_id, p_fields,
         p_initiating_entity, p_reason, p_occurred_at
    FROM ssf_streams s
   WHERE s.client_id = p_client_id AND s.status <> 'disabled' AND p_event_type = ANY (s.events_delivered);
  GET DIAGNOSTICS queued = ROW_COUNT;
  IF p_event_type = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked' THEN
    INSERT INTO backchannel_logouts (client_id, jobseeker_id, reason, occurred_at, consent_event_id)
    SELECT c.id, p_jobseeker_id, p_reason, p_occurred_at, p_consent_event_id
      FROM clients c WHERE c.id = p_client_id AND c.backchannel_logout_uri IS NOT NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    queued := queued + n;
  END IF;
  -- One notification per transaction: PostgreSQL folds identical ones.
  IF queued > 0 THEN
    PERFORM pg_notify('ssf_outbox', '');
  END IF;
END;
$$;
