-- OpenID Connect Back-Channel Logout 1.0 (src/ssf/backchannel-logout.ts): an app may register the URI
-- where it receives Logout Tokens. oidc-provider sends one when the jobseeker's session ends; we send
-- one, through the outbox below, when the app loses the jobseeker's consent or its tokens: a
-- withdrawal, an expiry, the app's deletion or its suspension — the session-revoked events of
-- 090_ssf_streams_and_outbox.sql, for apps that speak Back-Channel Logout rather than SSF.
ALTER TABLE clients ADD COLUMN backchannel_logout_uri text;

CREATE TABLE backchannel_logouts (
  seq             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- the Logout Token's jti: the same token (same jti) when sent again
  jti             uuid        NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  client_id       text        NOT NULL,
  jobseeker_id    uuid        NOT NULL,
  reason          text        NOT NULL,
  occurred_at     timestamptz NOT NULL DEFAULT now(),
  state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'rejected')),
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_owner     text,
  lease_until     timestamptz,
  last_error      text,
  delivered_at    timestamptz
);
CREATE INDEX backchannel_logouts_due_idx ON backchannel_logouts (next_attempt_at) WHERE state = 'pending';
CREATE INDEX backchannel_logouts_client_idx ON backchannel_logouts (client_id, seq);

-- Every session-revoked event also queues a Logout Token for an app that registered a
-- backchannel_logout_uri, whether or not it has a stream, in the same transaction.
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
    INSERT INTO backchannel_logouts (client_id, jobseeker_id, reason, occurred_at)
    SELECT c.id, p_jobseeker_id, p_reason, p_occurred_at
      FROM clients c WHERE c.id = p_client_id AND c.backchannel_logout_uri IS NOT NULL;
  END IF;
END;
$$;
