-- Emploi Store Dev: apps a developer drafts, their sandbox twin, and who may see them.
--
-- The sandbox. Sandbox personas are synthetic jobseekers (sandbox = true), seeded by the provider
-- (src/developers/sandbox-personas.ts). A sandbox client is a client whose id starts with 'sandbox-':
-- the flag is derived from the id, so it is set in the very statement that creates the row and can
-- never change. A consent — without which no field leaves the server — may only join a sandbox client
-- to a sandbox persona and an ordinary client to an ordinary jobseeker: the trigger below refuses
-- anything else, whatever the code above it does.
ALTER TABLE jobseekers ADD COLUMN sandbox boolean NOT NULL DEFAULT false;
ALTER TABLE clients ADD COLUMN sandbox boolean GENERATED ALWAYS AS (id LIKE 'sandbox-%') STORED;

CREATE FUNCTION consents_same_world() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT sandbox FROM clients WHERE id = NEW.client_id)
     IS DISTINCT FROM (SELECT sandbox FROM jobseekers WHERE id = NEW.jobseeker_id) THEN
    RAISE EXCEPTION 'a sandbox client may only hold consents of sandbox personas, and only it may'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER consents_same_world
  BEFORE INSERT OR UPDATE OF client_id, jobseeker_id ON consents
  FOR EACH ROW EXECUTE FUNCTION consents_same_world();

-- A developer's app: the production client (pending until an admin approves it; its fields are the
-- draft) and its sandbox twin (live at once, for personas only), with the review's state.
CREATE TABLE developer_apps (
  id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id   uuid        NOT NULL REFERENCES developer_organisations (id),
  client_id         text        NOT NULL UNIQUE REFERENCES clients (id),
  sandbox_client_id text        NOT NULL UNIQUE REFERENCES clients (id),
  review_state      text        NOT NULL DEFAULT 'draft'
                                CHECK (review_state IN ('draft', 'submitted', 'changes_requested', 'approved', 'refused')),
  -- The admin's last comment (changes requested, refusal reason); the full history is in admin_audit.
  review_comment    text,
  submitted_at      timestamptz,
  reviewed_at       timestamptz,
  production_secret_issued_at timestamptz,
  created_by        uuid        NOT NULL REFERENCES developer_accounts (id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT developer_apps_sandbox_twin CHECK (sandbox_client_id LIKE 'sandbox-%' AND client_id NOT LIKE 'sandbox-%')
);
CREATE INDEX developer_apps_review_idx ON developer_apps (review_state, submitted_at);

-- The team of an app: developer accounts that may see and change it (the creator, and those invited).
CREATE TABLE developer_app_members (
  app_id     uuid        NOT NULL REFERENCES developer_apps (id) ON DELETE CASCADE,
  account_id uuid        NOT NULL REFERENCES developer_accounts (id),
  role       text        NOT NULL CHECK (role IN ('owner', 'member')),
  added_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, account_id)
);
CREATE INDEX developer_app_members_account_idx ON developer_app_members (account_id);
