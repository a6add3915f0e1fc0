-- Shared Signals Framework 1.0 (src/ssf/): each app may register one event stream, and every consent
-- change that takes something away from it is queued in an outbox, in the very transaction that makes
-- the change, so that an event exists exactly when the change committed (a rolled-back change queues
-- nothing) and survives restarts until the app has it.
--
-- The outbox is filled by triggers, not by each writer: every consent change already appends its
-- consent_events row in its own transaction (consent-service.ts, consent-changes.ts, the expiry job,
-- client-service.ts deleting an app), and an app's suspension is an UPDATE of its row, so no path can
-- forget to queue its event. The pairwise `sub` and the signature are made at delivery time
-- (src/ssf/delivery-worker.ts): the database holds no salt and no key in clear. A row's jti is drawn
-- once, here: a SET delivered twice carries the same jti (at-least-once, RFC 8935 §2).

CREATE TABLE ssf_streams (
  id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  -- One stream per app (SSF 1.0 §8.1.1.1: a second creation answers 409).
  client_id          text        NOT NULL UNIQUE REFERENCES clients (id),
  -- urn:ietf:rfc:8935 (push) or urn:ietf:rfc:8936 (poll)
  delivery_method    text        NOT NULL CHECK (delivery_method IN ('urn:ietf:rfc:8935', 'urn:ietf:rfc:8936')),
  -- push: the receiver's endpoint; poll: null (the transmitter's own endpoint is derived from the id)
  endpoint_url       text,
  -- push: the Authorization header the receiver asked us to send, sealed (KEYS_ENCRYPTION_KEY)
  authorization_header_sealed text,
  events_requested   text[]      NOT NULL DEFAULT '{}',
  events_delivered   text[]      NOT NULL DEFAULT '{}',
  description        text,
  status             text        NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'paused', 'disabled')),
  status_reason      text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  -- Delivery (push): one instance at a time holds a stream's lease, so its events leave in order.
  lease_owner        text,
  lease_until        timestamptz,
  -- consecutive failed pushes; the next attempt waits 2^failures seconds (capped), across restarts
  failures           integer     NOT NULL DEFAULT 0,
  next_attempt_at    timestamptz,
  last_error         text,
  last_delivered_at  timestamptz,
  CHECK ((delivery_method = 'urn:ietf:rfc:8935') = (endpoint_url IS NOT NULL))
);

CREATE TABLE ssf_outbox (
  seq               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  jti               uuid        NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  stream_id         uuid        NOT NULL REFERENCES ssf_streams (id) ON DELETE CASCADE,
  client_id         text        NOT NULL,
  event_type        text        NOT NULL,
  -- null for stream events (verification)
  jobseeker_id      uuid,
  consent_event_id  bigint,
  withdrawn_fields  text[]      NOT NULL DEFAULT '{}',
  -- CAEP 1.0 §2 initiating_entity: user, admin, policy, system
  initiating_entity text,
  -- ours: consent_withdrawn, consent_narrowed, consent_expired, app_deleted, app_suspended
  reason            text,
  -- event-specific members (the verification event's `state`)
  extra             jsonb       NOT NULL DEFAULT '{}',
  occurred_at       timestamptz NOT NULL DEFAULT now(),
  state             text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'rejected')),
  attempts          integer     NOT NULL DEFAULT 0,
  delivered_at      timestamptz,
  last_error        text
);
CREATE INDEX ssf_outbox_pending_idx ON ssf_outbox (stream_id, seq) WHERE state = 'pending';

CREATE FUNCTION ssf_enqueue(
  p_client_id text, p_event_type text, p_jobseeker_id uuid, p_consent_event_id bigint,
  p_fields text[], p_initiating_entity text, p_reason text, p_occurred_at timestamptz
) RETURNS void LANGUAGE sql AS $$
  INSERT INTO ssf_outbox (stream_id, client_id, event_type, jobseeker_id, consent_event_id, withdrawn_fields,
                          initiating_entity, reason, occurred_at)
  SELECT s.id, p_client_id, p_event_type, p_jobseeker_id, p_consent_event_id, p_fields,
         p_initiating_entity, p_reason, p_occurred_at
    FROM ssf_streams s
   WHERE s.client_id = p_client_id AND s.status <> 'disabled' AND p_event_type = ANY (s.events_delivered)
$$;

-- narrowed → CAEP token-claims-change (the claims the app's tokens carry changed); revoked or expired →
-- CAEP session-revoked (its tokens are gone). The fields no longer shared: those removed by a
-- narrowing; for a revocation or expiry, all the fields the consent held, i.e. the previous event's
-- fields_after (an app's deletion records no fields_removed). A revocation of a consent already
-- expired or revoked tells the app nothing new: no event.
CREATE FUNCTION ssf_consent_event_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  previous consent_events;
  entity text := CASE WHEN NEW.actor = 'jobseeker' THEN 'user'
                      WHEN NEW.actor = 'system' THEN 'policy'
                      ELSE 'admin' END;
BEGIN
  IF NEW.kind = 'narrowed' THEN
    IF cardinality(NEW.fields_removed) > 0 THEN
      PERFORM ssf_enqueue(NEW.client_id, 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change',
                          NEW.jobseeker_id, NEW.id, NEW.fields_removed, entity, 'consent_narrowed', NEW.created_at);
    END IF;
  ELSIF NEW.kind IN ('revoked', 'expired') THEN
    SELECT * INTO previous FROM consent_events
     WHERE consent_id = NEW.consent_id AND id <> NEW.id ORDER BY id DESC LIMIT 1;
    IF previous.kind IS NULL OR previous.kind IN ('revoked', 'expired') THEN
      RETURN NULL;
    END IF;
    PERFORM ssf_enqueue(NEW.client_id, 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
                        NEW.jobseeker_id, NEW.id, previous.fields_after, entity,
                        CASE WHEN NEW.kind = 'expired' THEN 'consent_expired'
                             WHEN NEW.actor = 'jobseeker' THEN 'consent_withdrawn'
                             ELSE 'app_deleted' END,
                        NEW.created_at);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER consent_events_ssf_outbox AFTER INSERT ON consent_events
  FOR EACH ROW EXECUTE FUNCTION ssf_consent_event_enqueue();

-- A suspension deletes the app's tokens (client-service.ts) but keeps the consents: one
-- session-revoked per jobseeker with a live consent, no field withdrawn.
CREATE FUNCTION ssf_client_suspended_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ssf_enqueue(NEW.id, 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
                      c.jobseeker_id, NULL, '{}', 'admin', 'app_suspended', now())
     FROM consents c
    WHERE c.client_id = NEW.id AND c.status = 'active' AND c.expires_at > now()
    ORDER BY c.id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER clients_ssf_suspension AFTER UPDATE OF status ON clients
  FOR EACH ROW WHEN (NEW.status = 'suspended' AND OLD.status IS DISTINCT FROM 'suspended')
  EXECUTE FUNCTION ssf_client_suspended_enqueue();
