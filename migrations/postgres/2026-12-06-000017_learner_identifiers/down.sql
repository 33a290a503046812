ALTER TABLE certificate_shares DROP COLUMN study_right_oid;
DROP INDEX certificates_learner_oid_idx;
ALTER TABLE certificates DROP COLUMN holder_learner_oid_index;
