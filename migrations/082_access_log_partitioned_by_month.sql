-- Issue 19, step 3 of 3 (see 080 and 081): the access log partitioned by month of read_at (UTC), so
-- that retention drops a whole month (src/jobs/access-log-partitions.ts: DETACH … CONCURRENTLY, then
-- DROP TABLE) instead of deleting rows in batches, which at tens of millions of reads a day was hours
-- of deletes and bloat every day.
--
-- Without downtime: nothing here reads or moves the rows. The old table is renamed and attached as
-- the partition of everything before the bound of 080 (FROM MINVALUE); PostgreSQL proves that
-- partition's constraint from the CHECK validated by 081 instead of scanning, and matches its three
-- indexes to the parent's identical ones instead of building them. So this transaction holds its
-- locks for milliseconds whatever the size of the log, and instances of the previous version keep
-- working through it: they insert into and read `access_log` by name, which is now the parent. (A copy
-- of the rows in batches was the other way: hours of writes and twice the disk for a 100 M-row log,
-- and reads split over two tables until it ends.) The old partition is dropped whole once its bound
-- is past the retention; until then the purge still deletes its expired rows in batches, as before.
-- An empty old table (a new installation) is simply dropped.
--
-- The primary key goes: a unique index on a partitioned table must include the partition key, and
-- nothing looks rows up by id alone (pages are keyset-paginated on (read_at, id) through the
-- jobseeker index). Ids still come from one identity sequence, continued from the old one.
--
-- No default partition: ALTER TABLE … DETACH PARTITION … CONCURRENTLY, which lets reads run while a
-- month is dropped, is refused on a table that has one. Instead access_log_ensure_partitions()
-- creates the months ahead: here, at every start of an instance and in each housekeeping run, three
-- months ahead, so an insert never lacks its partition; if one ever did, the buffered writer keeps
-- the entries and retries (src/api/access-log.ts).
--
-- access_log_ensure_partitions(first, last) creates the partition of every month (UTC) from the one
-- holding `first` to the one holding `last` that does not exist yet, and returns how many it created.
CREATE FUNCTION access_log_ensure_partitions(first timestamptz, last timestamptz) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  m timestamp := date_trunc('month', first AT TIME ZONE 'UTC');
  part text;
  created integer := 0;
BEGIN
  -- One instance at a time (a transaction lock, so it also holds through a transaction-mode pooler).
  PERFORM pg_advisory_xact_lock(hashtext('access_log_partitions'));
  WHILE m <= last AT TIME ZONE 'UTC' LOOP
    part := 'access_log_' || to_char(m, 'YYYY_MM');
    IF to_regclass(part) IS NULL THEN
      BEGIN
        -- Created apart, then attached: ATTACH PARTITION takes only SHARE UPDATE EXCLUSIVE on the
        -- parent (CREATE TABLE … PARTITION OF would take ACCESS EXCLUSIVE and wait for every read).
        EXECUTE format('CREATE TABLE %I (LIKE access_log)', part);
        EXECUTE format('ALTER TABLE access_log ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                       part, m AT TIME ZONE 'UTC', (m + interval '1 month') AT TIME ZONE 'UTC');
        created := created + 1;
      EXCEPTION WHEN invalid_object_definition THEN
        -- That month is still inside the old table's partition (before partitioning): nothing to add.
        NULL;
      END;
    END IF;
    m := m + interval '1 month';
  END LOOP;
  RETURN created;
END $$;

DO $$
DECLARE
  bound timestamptz;
  next_id bigint;
BEGIN
  SELECT substring(pg_get_constraintdef(oid) FROM '''([^'']+)''')::timestamptz INTO STRICT bound
    FROM pg_constraint WHERE conname = 'access_log_before_partitioning' AND conrelid = 'access_log'::regclass;
  SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('access_log', 'id')), 0) + 1 INTO next_id;

  ALTER TABLE access_log RENAME TO access_log_legacy;
  ALTER INDEX access_log_jobseeker_read_at_idx RENAME TO access_log_legacy_jobseeker_read_at_idx;
  ALTER INDEX access_log_jobseeker_client_idx RENAME TO access_log_legacy_jobseeker_client_idx;
  ALTER INDEX access_log_read_at_idx RENAME TO access_log_legacy_read_at_idx;
  ALTER TABLE access_log_legacy ALTER COLUMN id DROP IDENTITY;
  ALTER TABLE access_log_legacy DROP CONSTRAINT access_log_pkey;

  CREATE TABLE access_log (
    id           bigint      GENERATED ALWAYS AS IDENTITY,
    jobseeker_id uuid        NOT NULL,
    client_id    text        NOT NULL,
    scope        text        NOT NULL,
    fields       text[]      NOT NULL,
    read_at      timestamptz NOT NULL
  ) PARTITION BY RANGE (read_at);
  EXECUTE format('ALTER TABLE access_log ALTER COLUMN id RESTART WITH %s', next_id);
  -- The same three indexes as before (007): the jobseeker's pages newest first, an app's reads of a
  -- jobseeker by scope, and the newest read of an app (the admin console) by read_at.
  CREATE INDEX access_log_jobseeker_read_at_idx ON access_log (jobseeker_id, read_at DESC, id DESC);
  CREATE INDEX access_log_jobseeker_client_idx ON access_log (jobseeker_id, client_id, scope, read_at);
  CREATE INDEX access_log_read_at_idx ON access_log (read_at);

  IF EXISTS (SELECT 1 FROM access_log_legacy) THEN
    EXECUTE format('ALTER TABLE access_log ATTACH PARTITION access_log_legacy FOR VALUES FROM (MINVALUE) TO (%L)', bound);
  ELSE
    DROP TABLE access_log_legacy;
  END IF;
END $$;

SELECT access_log_ensure_partitions(now(), now() + interval '3 months');
