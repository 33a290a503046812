-- The holder's id in signed credentials (credentialSubject.id): a random UUID, the same for every
-- certificate of the same holder from the same issuer, which says nothing about the person.
ALTER TABLE certificates ADD COLUMN holder_subject_id TEXT;
