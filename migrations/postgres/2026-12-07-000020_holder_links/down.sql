ALTER TABLE certificates DROP COLUMN imported;
DROP INDEX certificates_holder_subject_idx;
DROP TABLE holder_links;
