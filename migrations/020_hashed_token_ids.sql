-- Tokens, codes, initial access tokens, pushed request ids and the browser's session and interaction
-- ids were stored with their value as the row id (and again as `jti` in the payload): a copy of the
-- database was a set of usable tokens. From now on only the SHA-256 of the value is stored
-- (src/oidc/hashed-ids.ts; the same base64url encoding as src/crypto/token-hash.ts). Existing rows
-- are moved forward here, so that nobody is logged out and no app loses its refresh tokens.
-- Deploy note: an instance of the previous version still running after this migration no longer
-- finds these rows (and writes new ones in clear that this version cannot read): stop the old
-- instances before starting the new ones, or accept that tokens issued in between must be renewed.
UPDATE oidc_models
   SET id = rtrim(translate(encode(sha256(convert_to(id, 'UTF8')), 'base64'), '+/', '-_'), '='),
       payload = CASE
         -- An interaction also held the session cookie's value, and its own id in returnTo.
         WHEN model = 'Interaction' AND payload ? 'returnTo' THEN
           jsonb_set((payload #- '{session,cookie}') - 'jti', '{returnTo}',
                     to_jsonb(replace(payload->>'returnTo', id, '{uid}')))
         WHEN model = 'Interaction' THEN (payload #- '{session,cookie}') - 'jti'
         ELSE payload - 'jti'
       END
 WHERE model IN ('AccessToken', 'AuthorizationCode', 'RefreshToken', 'ClientCredentials',
                 'InitialAccessToken', 'RegistrationAccessToken', 'PushedAuthorizationRequest',
                 'BackchannelAuthenticationRequest', 'Session', 'Interaction');
