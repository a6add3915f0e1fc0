-- The Grants of one (jobseeker, app) pair, found without their ids: two first authorizations racing
-- can each build a Grant while the consent names only one (src/consents/consent-grant.ts), and a
-- withdrawal, an expiry or a narrowing must reach the other's tokens too (destroyPairGrants in
-- src/oidc/oidc-model-queries.ts). Only Grant rows are indexed: the pair's tokens are then found by
-- their grant_id (oidc_models_grant_id_idx). The expressions are the query's, word for word.
CREATE INDEX oidc_models_grant_pair_idx ON oidc_models ((payload ->> 'accountId'), (payload ->> 'clientId'))
  WHERE model = 'Grant';
