-- Signing keys are generated on first start and kept here, encrypted at rest with a key that only
-- the configuration holds: a database dump alone cannot sign tokens.
CREATE TABLE signing_keys (
  kid           text        PRIMARY KEY,
  alg           text        NOT NULL,
  encrypted_jwk text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  retired_at    timestamptz
);
