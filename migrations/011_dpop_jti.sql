-- DPoP proofs (RFC 9449) accepted by the resource API, so that each proof is used once, whichever
-- instance receives it. A row lives as long as its proof could still pass the iat check; the
-- resource API inserts with ON CONFLICT DO NOTHING (no row inserted = a replay), the purge job deletes
-- expired rows. Scoped by key thumbprint: one app's jti values cannot collide with another's.
CREATE TABLE dpop_jti (
  jkt        text        NOT NULL,
  jti        text        NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (jkt, jti)
);
CREATE INDEX dpop_jti_expires_at_idx ON dpop_jti (expires_at);
