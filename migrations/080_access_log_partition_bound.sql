-- Issue 19, step 1 of 3: the access log becomes partitioned by month (082) without stopping reads or
-- writes. Each migration runs at start-up in a transaction of its own (node-pg-migrate, one per file),
-- so the work is split by lock:
--   080 (this file) adds a CHECK that bounds every row below the first day of next month (UTC), NOT
--       VALID: an instant change of the catalog, no scan. It does take an ACCESS EXCLUSIVE lock, but
--       only for the milliseconds of this transaction.
--   081 validates it: a full scan, but under SHARE UPDATE EXCLUSIVE, which lets reads and inserts of
--       running instances go on while it runs (minutes for a 100 M-row log).
--   082 renames the table, creates the partitioned one and attaches the old table as the partition
--       of everything before that bound. PostgreSQL proves the partition constraint from the valid
--       CHECK and skips its own scan, so that transaction is milliseconds too.
-- The bound leaves at least a day: rows read by running instances during the roll-out all fall under it.
DO $$
DECLARE
  bound timestamptz := (date_trunc('month', (now() + interval '1 day') AT TIME ZONE 'UTC') + interval '1 month')
                       AT TIME ZONE 'UTC';
BEGIN
  EXECUTE format(
    'ALTER TABLE access_log ADD CONSTRAINT access_log_before_partitioning CHECK (read_at < %L::timestamptz) NOT VALID',
    bound);
END $$;
