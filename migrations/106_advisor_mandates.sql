-- A jobseeker's mandate to their advisor (issue 16) is a consent like an app's, in the same tables
-- and the same hash-chained event log: one consent model, whose recipient is either an app
-- (client_id) or an advisor (advisor_id), never both. The mandate names the advisor it was given to,
-- so a new advisor (reassignment) has none until the jobseeker agrees again.
ALTER TABLE consents ALTER COLUMN client_id DROP NOT NULL;
ALTER TABLE consents ADD COLUMN advisor_id uuid REFERENCES advisors (id) ON DELETE CASCADE;
ALTER TABLE consents ADD CONSTRAINT consents_one_recipient CHECK ((client_id IS NULL) <> (advisor_id IS NULL));
CREATE UNIQUE INDEX consents_jobseeker_advisor_idx ON consents (jobseeker_id, advisor_id) WHERE advisor_id IS NOT NULL;
CREATE INDEX consents_advisor_idx ON consents (advisor_id) WHERE advisor_id IS NOT NULL;

ALTER TABLE consent_events ALTER COLUMN client_id DROP NOT NULL;
ALTER TABLE consent_events ADD COLUMN advisor_id uuid;
ALTER TABLE consent_events ADD CONSTRAINT consent_events_one_recipient
  CHECK ((client_id IS NULL) <> (advisor_id IS NULL)) NOT VALID;

-- The writers of consent events (narrow, revoke, revoke all, expire) name the consent; an advisor's
-- consent gives its event the advisor, before the hash chain's trigger (triggers run in name order:
-- "consent_events_advisor…" before "consent_events_hash_chain") links the row.
CREATE FUNCTION consent_events_advisor_recipient() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT c.advisor_id INTO NEW.advisor_id FROM consents c WHERE c.id = NEW.consent_id;
  RETURN NEW;
END;
$$;
CREATE TRIGGER consent_events_advisor_recipient BEFORE INSERT ON consent_events
  FOR EACH ROW WHEN (NEW.client_id IS NULL AND NEW.advisor_id IS NULL)
  EXECUTE FUNCTION consent_events_advisor_recipient();

-- The chain covers the advisor too, only where there is one: an app's event hashes as before, so the
-- rows already chained verify unchanged.
CREATE OR REPLACE FUNCTION consent_events_canonical(e consent_events) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT (jsonb_build_object(
    'id', e.id,
    'consent_id', e.consent_id,
    'jobseeker_id', e.jobseeker_id,
    'client_id', e.client_id,
    'kind', e.kind,
    'fields_added', e.fields_added,
    'fields_removed', e.fields_removed,
    'fields_after', e.fields_after,
    'texts_hash', e.texts_hash,
    'actor', e.actor,
    'request_id', e.request_id,
    'interaction_uid', e.interaction_uid,
    'created_at', hash_chain_timestamp(e.created_at)
  ) || CASE WHEN e.advisor_id IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('advisor_id', e.advisor_id) END)::text
$$;

-- An advisor's view of a jobseeker's data is a read in "Qui a consulté mes données", like an app's.
ALTER TABLE access_log ALTER COLUMN client_id DROP NOT NULL;
ALTER TABLE access_log ADD COLUMN advisor_id uuid;
