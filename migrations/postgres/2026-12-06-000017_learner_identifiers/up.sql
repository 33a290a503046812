-- A keyed hash of the holder's learner OID (oppijanumero), so that a search by POST finds it as
-- it finds an identity code, without a plain value anywhere.
ALTER TABLE certificates ADD COLUMN holder_learner_oid_index TEXT;
CREATE INDEX certificates_learner_oid_idx ON certificates (holder_learner_oid_index);
-- The study right (opiskeluoikeus) at the provider that a shared certificate is for.
ALTER TABLE certificate_shares ADD COLUMN study_right_oid TEXT;
