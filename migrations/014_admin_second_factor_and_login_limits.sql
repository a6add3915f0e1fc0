-- The admin second factor cannot be guessed (issue 10): failures are counted per admin account, in a
-- logged table (they must survive a restart), whatever the session, address or instance; a correct
-- password never touches them. src/security/second-factor-guard.ts holds the rules: a few free
-- failures, then a wait that doubles with each failure, then a lock (the same wait, audited as a
-- lock) that only a correct code after the wait, another admin or the CLI lifts.
CREATE TABLE admin_second_factor_failures (
  admin_id      uuid        PRIMARY KEY REFERENCES admins (id) ON DELETE CASCADE,
  -- consecutive failures since the last correct code or unlock
  failures      integer     NOT NULL DEFAULT 0,
  -- no code is even checked before this moment
  blocked_until timestamptz,
  -- when the lock started (failures reached the lock threshold), for the console
  locked_at     timestamptz
);

-- TOTP enrolment is no longer trust-on-first-use: an enrolment code, issued by `admins create`,
-- `admins reset-totp` or another admin in the console, is required to enrol. One live code per admin
-- (a new one replaces it), valid 24 hours, single-use, stored as a SHA-256 hash only (the code is
-- 100+ random bits: a fast hash is enough, as for API tokens).
CREATE TABLE admin_enrolment_codes (
  admin_id   uuid        PRIMARY KEY REFERENCES admins (id) ON DELETE CASCADE,
  code_hash  text        NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);

-- A secret set by the old first-login enrolment and never confirmed was handed to whoever had the
-- password: it goes. Such an admin enrols again with a code from `admins reset-totp`.
UPDATE admins SET totp_secret_sealed = NULL, totp_last_step = NULL
 WHERE totp_enabled_at IS NULL AND totp_secret_sealed IS NOT NULL;

-- Login limits as a generic cell rate algorithm (src/security/login-throttle.ts): each key has a
-- theoretical arrival time `tat`; an attempt is let through when tat <= now() + tolerance, and moves
-- tat by `emission` (one attempt's worth). Limiting then slows (one attempt per emission interval
-- after a burst) instead of blocking for a whole window. The parameters travel with the row so that
-- one statement serves keys with different limits. The old columns get defaults and stay, unused by
-- this version, so that instances of the previous version keep working during a rolling upgrade.
ALTER TABLE login_throttle
  ALTER COLUMN attempts SET DEFAULT 0,
  ALTER COLUMN window_start SET DEFAULT now(),
  ADD COLUMN tat       timestamptz,
  ADD COLUMN emission  interval,
  ADD COLUMN tolerance interval;
