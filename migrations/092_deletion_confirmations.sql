-- "Données supprimées": an app confirms it deleted what a withdrawal took back (src/ssf/deletion-
-- confirmations.ts), naming the jti of the SET or Logout Token that asked it to. The jobseeker's
-- history shows, per withdrawal, when the request was sent and whether (and when) the app confirmed.
-- One confirmation per consent event: the first one stands.
ALTER TABLE backchannel_logouts ADD COLUMN consent_event_id bigint;

CREATE TABLE deletion_confirmations (
  consent_event_id bigint      PRIMARY KEY,
  client_id        text        NOT NULL,
  -- the SET's or the Logout Token's jti the app named
  jti              uuid        NOT NULL,
  confirmed_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ssf_outbox_consent_event_idx ON ssf_outbox (consent_event_id) WHERE consent_event_id IS NOT NULL;
CREATE INDEX backchannel_logouts_consent_event_idx ON backchannel_logouts (consent_event_id)
  WHERE consent_event_id IS NOT NULL;

CREATE OR REPLACE FUNCTION ssf_enqueue(
  p_client_id text, p_event_type text, p_jobseeker_id uuid, p_consent_event_id bigint,
  p_fields text[], p_initiating_entity text, p_reason text, p_occurred_at timestamptz
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ssf_outbox (stream_id, client_id, event_type, jobseeker_id, consent_event_id, withdrawn_fields,
                          initiating_entity, reason, occurred_at)
  SELECT s.id, p_client_id, p_event_type, p_jobseeker_id, p_consent_event_id, p_fields,
         p_initiating_entity, p_reason, p_occurred_at
    FROM ssf_streams s
   WHERE s.client_id = p_client_id AND s.status <> 'disabled' AND p_event_type = ANY (s.events_delivered);
  IF p_event_type = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked' THEN
    INSERT INTO backchannel_logouts (client_id, jobseeker_id, reason, occurred_at, consent_event_id)
    SELECT c.id, p_jobseeker_id, p_reason, p_occurred_at, p_consent_event_id
      FROM clients c WHERE c.id = p_client_id AND c.backchannel_logout_uri IS NOT NULL;
  END IF;
END;
$$;
