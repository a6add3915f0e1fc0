-- Developer accounts: the one-time links of the mail outbox serve two purposes, verifying an address
-- and choosing a new password (src/developers/developer-accounts.ts); a link of one never does the other.
ALTER TABLE developer_email_tokens
  ADD COLUMN purpose text NOT NULL DEFAULT 'verify' CHECK (purpose IN ('verify', 'reset'));
