-- Signing key rotation (src/oidc/signing-keys.ts, `npm run cli -- keys rotate`). A key is published in
-- the JWKS from its creation, signs from activates_at (a delay after creation, so that every instance
-- and every relying party's JWKS cache knows it first), and leaves the JWKS at retires_at, once every
-- token it may have signed has expired. Keys from before this migration were active from their start.
ALTER TABLE signing_keys
  ADD COLUMN activates_at timestamptz,
  ADD COLUMN retires_at   timestamptz;
UPDATE signing_keys SET activates_at = created_at;
ALTER TABLE signing_keys
  ALTER COLUMN activates_at SET NOT NULL,
  ALTER COLUMN activates_at SET DEFAULT now(),
  ADD CONSTRAINT signing_keys_retires_after_activation CHECK (retires_at IS NULL OR retires_at > activates_at);
-- retired_at (002) stays the emergency switch: a key withdrawn at once, e.g. when it is compromised.
CREATE INDEX signing_keys_alg_idx ON signing_keys (alg, activates_at DESC);
