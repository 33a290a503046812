-- Birth dates are sealed like identity codes. The service fills this column from the plain one
-- (and seals learner OIDs in place) right after this migration, before the next drops the plain
-- column.
ALTER TABLE certificates ADD COLUMN holder_birth_date_encrypted TEXT;

-- Stored answers for Idempotency-Key replays were kept in plain text and could hold identity
-- codes and client secrets; they are sealed from now on. Dropping the old ones costs at most a
-- replay of a request made before the upgrade.
DELETE FROM idempotency_keys;
