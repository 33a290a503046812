DROP TRIGGER agreements_insert_catalogue;
DROP TRIGGER agreements_update_catalogue;
DROP TRIGGER agreements_delete_catalogue;
ALTER TABLE recognitions DROP COLUMN owner_consent;
ALTER TABLE programme_partners DROP COLUMN accepted_at;
