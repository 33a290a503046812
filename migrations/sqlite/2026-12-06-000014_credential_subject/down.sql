ALTER TABLE certificates DROP COLUMN holder_subject_id;
