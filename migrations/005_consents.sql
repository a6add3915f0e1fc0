-- The texts a jobseeker was shown, by content hash: a consent event points at exactly what was read,
-- and an old text stays retrievable after the catalog or a purpose changes.
CREATE TABLE consent_texts (
  hash       text        PRIMARY KEY,
  texts      jsonb       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The live decision of one jobseeker for one app. The resource API reads this row on every request,
-- so a narrowed or revoked consent takes effect on the very next call, on every instance.
CREATE TABLE consents (
  id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  jobseeker_id uuid        NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
  client_id    text        NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  status       text        NOT NULL CHECK (status IN ('active', 'revoked')),
  -- '<scope>.<field>' keys currently granted.
  fields       text[]      NOT NULL,
  texts_hash   text        NOT NULL REFERENCES consent_texts (hash),
  -- The oidc-provider Grant carrying the same decision; destroyed (with its tokens) on revocation.
  grant_id     text,
  granted_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (jobseeker_id, client_id)
);
CREATE INDEX consents_client_id_idx ON consents (client_id);

-- Append-only history: who changed what, when, and which texts were shown.
CREATE TABLE consent_events (
  id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consent_id     uuid        NOT NULL,
  jobseeker_id   uuid        NOT NULL,
  client_id      text        NOT NULL,
  kind           text        NOT NULL CHECK (kind IN ('granted', 'extended', 'narrowed', 'revoked', 'expired')),
  fields_added   text[]      NOT NULL DEFAULT '{}',
  fields_removed text[]      NOT NULL DEFAULT '{}',
  fields_after   text[]      NOT NULL,
  texts_hash     text        REFERENCES consent_texts (hash),
  actor          text        NOT NULL,
  request_id     text,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consent_events_jobseeker_idx ON consent_events (jobseeker_id, created_at);
CREATE INDEX consent_events_consent_idx ON consent_events (consent_id, id);

CREATE FUNCTION consent_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent_events is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER consent_events_no_update_delete
  BEFORE UPDATE OR DELETE OR TRUNCATE ON consent_events
  FOR EACH STATEMENT EXECUTE FUNCTION consent_events_append_only();

-- A consent form can be submitted twice (double click, two tabs): the interaction id makes the second
-- submission a no-op instead of a second event.
ALTER TABLE consent_events ADD COLUMN interaction_uid text;
CREATE UNIQUE INDEX consent_events_interaction_uid_idx ON consent_events (interaction_uid) WHERE interaction_uid IS NOT NULL;
