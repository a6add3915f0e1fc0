CREATE TABLE clients (
  id                         text        PRIMARY KEY,
  name                       text        NOT NULL,
  description                text        NOT NULL DEFAULT '',
  operator_name              text        NOT NULL DEFAULT '',
  website                    text,
  -- AES-256-GCM with the configured key: oidc-provider must compare the presented secret, and the
  -- clear value is never readable from the database alone.
  secret_ciphertext          text,
  token_endpoint_auth_method text        NOT NULL DEFAULT 'client_secret_basic',
  redirect_uris              text[]      NOT NULL,
  post_logout_redirect_uris  text[]      NOT NULL DEFAULT '{}',
  scopes                     text[]      NOT NULL,
  -- Why the app asks for each data scope, shown on the consent page: { "<scope>": "<text>" }.
  purposes                   jsonb       NOT NULL DEFAULT '{}'::jsonb,
  consent_duration_days      integer     CHECK (consent_duration_days BETWEEN 1 AND 3650),
  status                     text        NOT NULL DEFAULT 'pending'
                                         CHECK (status IN ('pending', 'active', 'suspended')),
  created_at                 timestamptz NOT NULL DEFAULT now(),
  updated_at                 timestamptz NOT NULL DEFAULT now()
);
