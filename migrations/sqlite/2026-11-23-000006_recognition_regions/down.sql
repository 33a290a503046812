DROP INDEX recognitions_unit_region_idx;
DROP INDEX recognitions_unit_idx;
CREATE INDEX recognitions_unit_idx ON recognitions (unit_code, environment_id);
ALTER TABLE recognitions DROP COLUMN region_code;
