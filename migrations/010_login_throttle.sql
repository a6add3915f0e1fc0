-- Login throttling shared by every instance: one counter per key ('account:<login>', 'ip:<address>',
-- 'admin:<email>'), incremented atomically *before* the password is checked, so parallel attempts
-- cannot slip past the limit. Windows are fixed and short: a block always ends on its own.
CREATE UNLOGGED TABLE login_throttle (
  key          text        PRIMARY KEY,
  attempts     integer     NOT NULL,
  window_start timestamptz NOT NULL
);
