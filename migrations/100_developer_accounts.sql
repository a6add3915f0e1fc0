-- Emploi Store Dev (/developpeurs): developer accounts, each with its organisation (the operator its
-- apps are registered for), separate from jobseekers and admins. Passwords are argon2id hashes
-- (src/profiles/password-hasher.ts); an account signs in only once its email address is verified.
CREATE TABLE developer_organisations (
  id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text        NOT NULL,
  siret      text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE developer_accounts (
  id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  email           text        NOT NULL,
  password_hash   text        NOT NULL,
  organisation_id uuid        NOT NULL REFERENCES developer_organisations (id),
  verified_at     timestamptz,
  disabled_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX developer_accounts_email_idx ON developer_accounts (lower(email));

-- One-time email verification links: only a SHA-256 of the token is stored (a database read cannot
-- be replayed as a link).
CREATE TABLE developer_email_tokens (
  token_hash text        PRIMARY KEY,
  account_id uuid        NOT NULL REFERENCES developer_accounts (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX developer_email_tokens_account_idx ON developer_email_tokens (account_id);

-- The development mail sender's outbox (src/developers/mail-sender.ts): every message the service
-- would send, as it would be sent. A real sender delivers them and sets sent_at.
CREATE TABLE mail_outbox (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recipient  text        NOT NULL,
  subject    text        NOT NULL,
  body       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at    timestamptz
);
CREATE INDEX mail_outbox_unsent_idx ON mail_outbox (id) WHERE sent_at IS NULL;
