-- « Ce que vous partagez encore » (src/dashboard/still-sharing.ts): when a jobseeker last went over
-- which apps hold which fields. The summary comes back 90 days later, and 30 days before a consent
-- expires.
CREATE TABLE sharing_reviews (
  jobseeker_id uuid        PRIMARY KEY REFERENCES jobseekers (id) ON DELETE CASCADE,
  reviewed_at  timestamptz NOT NULL DEFAULT now()
);
