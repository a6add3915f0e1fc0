-- Admin accounts, separate from jobseekers: password (argon2id) plus a TOTP second factor, whose
-- secret is sealed with the configured key like every other secret at rest.
CREATE TABLE admins (
  id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  email              text        NOT NULL,
  password_hash      text        NOT NULL,
  totp_secret_sealed text,
  totp_enabled_at    timestamptz,
  -- The last accepted TOTP time step: a code is accepted once (RFC 6238 §5.2).
  totp_last_step     bigint,
  created_at         timestamptz NOT NULL DEFAULT now(),
  disabled_at        timestamptz
);
CREATE UNIQUE INDEX admins_email_idx ON admins (lower(email));

-- API tokens for pipelines and scripts: only a SHA-256 of the token is stored.
CREATE TABLE admin_tokens (
  id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  admin_id     uuid        NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
  name         text        NOT NULL,
  token_hash   text        NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz
);
CREATE INDEX admin_tokens_admin_idx ON admin_tokens (admin_id);

-- Append-only audit trail of every admin action: who, what, before → after, when. Secrets never
-- appear in it (the service strips them before writing).
CREATE TABLE admin_audit (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor       text        NOT NULL,
  action      text        NOT NULL,
  target_type text        NOT NULL,
  target_id   text,
  before      jsonb,
  after       jsonb,
  request_id  text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_audit_target_idx ON admin_audit (target_type, target_id, id);

CREATE FUNCTION admin_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'admin_audit is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER admin_audit_no_update_delete
  BEFORE UPDATE OR DELETE OR TRUNCATE ON admin_audit
  FOR EACH STATEMENT EXECUTE FUNCTION admin_audit_append_only();

-- What admins vet before an app may ask a jobseeker for anything.
ALTER TABLE clients
  ADD COLUMN operator_siret              text,
  ADD COLUMN contact_email               text,
  ADD COLUMN logo_uri                    text,
  ADD COLUMN policy_uri                  text,
  ADD COLUMN tos_uri                     text,
  ADD COLUMN jwks_uri                    text,
  ADD COLUMN jwks                        jsonb,
  ADD COLUMN high_assurance              boolean     NOT NULL DEFAULT false,
  ADD COLUMN free_for_jobseekers         boolean     NOT NULL DEFAULT false,
  -- Secret rotation: the previous secret keeps working until this moment.
  ADD COLUMN previous_secret_ciphertext  text,
  ADD COLUMN previous_secret_expires_at  timestamptz,
  ADD COLUMN registered_via              text        NOT NULL DEFAULT 'admin',
  ADD COLUMN deleted_at                  timestamptz;

-- The console's "last activity" per app.
CREATE INDEX access_log_client_read_at_idx ON access_log (client_id, read_at);
