-- Issue 14: a read through a legacy Pôle emploi Connect API (/partenaire/peconnect-…, src/legacy-api)
-- names that API in the access log, beside the native scope and fields it was made of. NULL for the
-- native API and for ID token and userinfo releases. Adding a nullable column without a default only
-- changes the catalog, on the parent and every partition at once: no rewrite, no scan, milliseconds
-- of lock whatever the size of the log; instances of the previous version keep inserting without it.
ALTER TABLE access_log ADD COLUMN api text;
