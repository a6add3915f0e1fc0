-- Every oidc-provider model (sessions, interactions, codes, tokens, grants…) in one table, as Logto
-- does: a jsonb payload plus the columns the adapter looks things up by.
CREATE TABLE oidc_models (
  model       text        NOT NULL,
  id          text        NOT NULL,
  payload     jsonb       NOT NULL,
  grant_id    text,
  user_code   text,
  uid         text,
  expires_at  timestamptz,
  -- Set once, by a single conditional UPDATE: this is what makes an authorization code single-use.
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);

-- revokeByGrantId deletes every token of a grant.
CREATE INDEX oidc_models_grant_id_idx ON oidc_models (grant_id) WHERE grant_id IS NOT NULL;
-- findByUid (sessions) and findByUserCode (device flow, unused but part of the contract).
CREATE UNIQUE INDEX oidc_models_uid_idx ON oidc_models (model, uid) WHERE uid IS NOT NULL;
CREATE UNIQUE INDEX oidc_models_user_code_idx ON oidc_models (model, user_code) WHERE user_code IS NOT NULL;
-- The purge job walks expired rows in batches.
CREATE INDEX oidc_models_expires_at_idx ON oidc_models (expires_at) WHERE expires_at IS NOT NULL;
