-- Hash chains over the two append-only logs, consent_events and admin_audit (their UPDATE/DELETE/TRUNCATE
-- are already refused by triggers, 005 and 008). Each row stores
--   prev_hash = the hash of the row before it in its chain (64 zeros for the first),
--   hash      = sha256(prev_hash || canonical content of the row), hex,
--   chain_seq = its position in the chain (1, 2, …),
-- all computed here, by a BEFORE INSERT trigger, so no writer can skip or forge them. The trigger takes
-- a transaction-scoped advisory lock per chain before reading the tail, so concurrent inserts chain one
-- after the other: the lock is held until commit, and in READ COMMITTED each statement of the (volatile)
-- trigger function sees what the previous holder committed. Rows inserted earlier by the same statement
-- are seen too (a multi-row INSERT chains in order), and a row skipped by ON CONFLICT DO NOTHING never
-- becomes a link. Unique indexes on chain_seq and prev_hash make a fork impossible whatever the
-- isolation level. Chain order is not id order: ids are drawn before the lock is taken.
-- `npm run cli -- audit verify` recomputes every hash (src/security/hash-chains.ts).
--
-- The canonical content lists the columns explicitly, so a column added later does not change the hash
-- of old rows; timestamps are written in UTC with microseconds, whatever the session's TimeZone.

CREATE FUNCTION hash_chain_timestamp(t timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

CREATE FUNCTION consent_events_canonical(e consent_events) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
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
  )::text
$$;

CREATE FUNCTION admin_audit_canonical(a admin_audit) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', a.id,
    'actor', a.actor,
    'action', a.action,
    'target_type', a.target_type,
    'target_id', a.target_id,
    'before', a.before,
    'after', a.after,
    'request_id', a.request_id,
    'created_at', hash_chain_timestamp(a.created_at)
  )::text
$$;

-- The next link of a chain (the table's name) for a row whose canonical content is given.
CREATE FUNCTION hash_chain_next(chain text, content text, OUT chain_seq bigint, OUT prev_hash text, OUT hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('hash_chain:' || chain, 0));
  EXECUTE format(
    'SELECT chain_seq, hash FROM %I WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1', chain
  ) INTO chain_seq, prev_hash;
  chain_seq := coalesce(chain_seq, 0) + 1;
  prev_hash := coalesce(prev_hash, repeat('0', 64));
  hash := encode(sha256(convert_to(prev_hash || content, 'UTF8')), 'hex');
END;
$$;

ALTER TABLE consent_events
  ADD COLUMN chain_seq bigint,
  ADD COLUMN prev_hash text,
  ADD COLUMN hash      text;
ALTER TABLE admin_audit
  ADD COLUMN chain_seq bigint,
  ADD COLUMN prev_hash text,
  ADD COLUMN hash      text;

-- Rows already there are chained in id order (the append-only triggers are lifted for this only).
ALTER TABLE consent_events DISABLE TRIGGER consent_events_no_update_delete;
ALTER TABLE admin_audit DISABLE TRIGGER admin_audit_no_update_delete;
DO $$
DECLARE
  e consent_events;
  a admin_audit;
  link record;
BEGIN
  FOR e IN SELECT * FROM consent_events ORDER BY id LOOP
    link := hash_chain_next('consent_events', consent_events_canonical(e));
    UPDATE consent_events SET chain_seq = link.chain_seq, prev_hash = link.prev_hash, hash = link.hash
     WHERE id = e.id;
  END LOOP;
  FOR a IN SELECT * FROM admin_audit ORDER BY id LOOP
    link := hash_chain_next('admin_audit', admin_audit_canonical(a));
    UPDATE admin_audit SET chain_seq = link.chain_seq, prev_hash = link.prev_hash, hash = link.hash
     WHERE id = a.id;
  END LOOP;
END;
$$;
ALTER TABLE consent_events ENABLE TRIGGER consent_events_no_update_delete;
ALTER TABLE admin_audit ENABLE TRIGGER admin_audit_no_update_delete;

ALTER TABLE consent_events
  ALTER COLUMN chain_seq SET NOT NULL,
  ALTER COLUMN prev_hash SET NOT NULL,
  ALTER COLUMN hash SET NOT NULL;
ALTER TABLE admin_audit
  ALTER COLUMN chain_seq SET NOT NULL,
  ALTER COLUMN prev_hash SET NOT NULL,
  ALTER COLUMN hash SET NOT NULL;

CREATE UNIQUE INDEX consent_events_chain_seq_idx ON consent_events (chain_seq);
CREATE UNIQUE INDEX consent_events_prev_hash_idx ON consent_events (prev_hash);
CREATE UNIQUE INDEX admin_audit_chain_seq_idx ON admin_audit (chain_seq);
CREATE UNIQUE INDEX admin_audit_prev_hash_idx ON admin_audit (prev_hash);

CREATE FUNCTION consent_events_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT l.chain_seq, l.prev_hash, l.hash INTO NEW.chain_seq, NEW.prev_hash, NEW.hash
    FROM hash_chain_next('consent_events', consent_events_canonical(NEW)) l;
  RETURN NEW;
END;
$$;
CREATE TRIGGER consent_events_hash_chain BEFORE INSERT ON consent_events
  FOR EACH ROW EXECUTE FUNCTION consent_events_link();

CREATE FUNCTION admin_audit_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT l.chain_seq, l.prev_hash, l.hash INTO NEW.chain_seq, NEW.prev_hash, NEW.hash
    FROM hash_chain_next('admin_audit', admin_audit_canonical(NEW)) l;
  RETURN NEW;
END;
$$;
CREATE TRIGGER admin_audit_hash_chain BEFORE INSERT ON admin_audit
  FOR EACH ROW EXECUTE FUNCTION admin_audit_link();
