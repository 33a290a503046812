-- The environment's region, kept on each of its recognitions, so that a unit's recognitions in a
-- region are one index range.
ALTER TABLE recognitions ADD COLUMN region_code TEXT REFERENCES regions (code);
UPDATE recognitions SET region_code = (
    SELECT learning_environments.region_code FROM learning_environments
    WHERE learning_environments.id = recognitions.environment_id
);

-- These two cover the catalogue's walk through a unit's recognitions (in a region) in environment
-- order, so that it never reads the table.
DROP INDEX recognitions_unit_idx;
CREATE INDEX recognitions_unit_idx ON recognitions (unit_code, environment_id, valid_from, in_force_until);
CREATE INDEX recognitions_unit_region_idx ON recognitions (unit_code, region_code, environment_id, valid_from, in_force_until);
