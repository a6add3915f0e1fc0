-- A jobseeker's own choices about recommendations, and nothing else: whether they are switched off,
-- and which apps the jobseeker asked not to be shown again. Who saw which recommendation is never
-- stored (they are computed on each page view, inside the provider).
CREATE TABLE store_preferences (
  jobseeker_id        uuid        PRIMARY KEY REFERENCES jobseekers (id) ON DELETE CASCADE,
  recommendations_off boolean     NOT NULL DEFAULT false,
  hidden_client_ids   text[]      NOT NULL DEFAULT '{}',
  updated_at          timestamptz NOT NULL DEFAULT now()
);
