-- The CSRF secret of our forms now lives in a signed cookie of the browser's own (src/http/csrf.ts),
-- no longer in web_sessions, and a session is stored only once it holds a sign-in. Rows that held
-- nothing but a CSRF secret (one per anonymous visitor, 12 hours each) go; the others lose the key.
-- (koa-session's own keys start with an underscore: _expire, _maxAge.)
DELETE FROM web_sessions
 WHERE NOT EXISTS (SELECT 1 FROM jsonb_object_keys(data) AS k WHERE k <> 'secret' AND k NOT LIKE '\_%');
UPDATE web_sessions SET data = data - 'secret' WHERE data ? 'secret';
