-- Advisor accounts (conseillers, issue 16), separate from jobseekers and admins: password (argon2id)
-- plus the same TOTP second factor as admins (src/security/totp-second-factor.ts), with their own
-- failure counts and enrolment codes, and an agency. Created by admins only (console, API, CLI).
CREATE TABLE advisors (
  id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  email              text        NOT NULL,
  display_name       text        NOT NULL,
  agency             text        NOT NULL,
  password_hash      text        NOT NULL,
  totp_secret_sealed text,
  totp_enabled_at    timestamptz,
  totp_last_step     bigint,
  created_at         timestamptz NOT NULL DEFAULT now(),
  disabled_at        timestamptz
);
CREATE UNIQUE INDEX advisors_email_idx ON advisors (lower(email));

CREATE TABLE advisor_second_factor_failures (
  advisor_id    uuid        PRIMARY KEY REFERENCES advisors (id) ON DELETE CASCADE,
  failures      integer     NOT NULL DEFAULT 0,
  blocked_until timestamptz,
  locked_at     timestamptz
);

CREATE TABLE advisor_enrolment_codes (
  advisor_id uuid        PRIMARY KEY REFERENCES advisors (id) ON DELETE CASCADE,
  code_hash  text        NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);

-- The portfolio: each jobseeker has at most one advisor. Being assigned gives the advisor no data at
-- all: only the jobseeker's mandate does (migration 106), and it names the advisor it was given to.
CREATE TABLE advisor_assignments (
  jobseeker_id    uuid        PRIMARY KEY REFERENCES jobseekers (id) ON DELETE CASCADE,
  advisor_id      uuid        NOT NULL REFERENCES advisors (id) ON DELETE CASCADE,
  assigned_at     timestamptz NOT NULL DEFAULT now(),
  -- the advisor's last view of the jobseeker's page or change to their plan
  last_contact_at timestamptz
);
CREATE INDEX advisor_assignments_advisor_idx ON advisor_assignments (advisor_id, jobseeker_id);
