-- How an app authenticates at the token endpoint (src/clients/client-auth-methods.ts).
-- NULL is now the default of a secret-based app: client_secret_basic or client_secret_post, its
-- choice at each request (RFC 6749 §2.3.1). A value restricts the app to that method; 'none' is a
-- public client (browser or native app, RFC 8252) that holds no secret.
ALTER TABLE clients
  ALTER COLUMN token_endpoint_auth_method DROP NOT NULL,
  ALTER COLUMN token_endpoint_auth_method DROP DEFAULT;

-- Until now client_secret_basic was the only secret method on offer, so no app chose it over
-- client_secret_post: every secret-based app gets the new default.
UPDATE clients SET token_endpoint_auth_method = NULL WHERE token_endpoint_auth_method = 'client_secret_basic';

ALTER TABLE clients
  ADD CONSTRAINT clients_token_endpoint_auth_method_check
  CHECK (token_endpoint_auth_method IN ('client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'));
