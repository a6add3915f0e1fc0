-- Server-side sessions of our own pages (CSRF secret, dashboard login). Only a hash of the cookie
-- value is stored, so a database read cannot be replayed as a session.
CREATE TABLE web_sessions (
  id_hash    text        PRIMARY KEY,
  data       jsonb       NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_expires_at_idx ON web_sessions (expires_at);
