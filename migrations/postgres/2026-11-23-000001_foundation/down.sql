DROP TABLE idempotency_keys;
DROP TABLE organisations;
DROP TABLE qualification_unit_links;
DROP TABLE qualification_units;
DROP TABLE qualifications;
DROP TABLE municipalities;
DROP TABLE regions;
