-- Issue 19, step 2 of 3 (see 080): proves that every existing row lies below the bound. The scan
-- holds only SHARE UPDATE EXCLUSIVE, so the provider's reads and its buffered inserts go on meanwhile.
ALTER TABLE access_log VALIDATE CONSTRAINT access_log_before_partitioning;
