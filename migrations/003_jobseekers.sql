CREATE TABLE jobseekers (
  id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  login         text        NOT NULL UNIQUE,
  password_hash text        NOT NULL,
  -- Standard OIDC claims (given_name, email, address…), released only per consented field.
  claims        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  disabled_at   timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per data scope: the resource API reads exactly one row by primary key per request.
CREATE TABLE jobseeker_data (
  jobseeker_id uuid        NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
  scope        text        NOT NULL,
  value        jsonb       NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (jobseeker_id, scope)
);
