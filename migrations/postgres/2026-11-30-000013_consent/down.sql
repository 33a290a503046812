DROP TRIGGER agreements_catalogue ON agreements;
ALTER TABLE recognitions DROP COLUMN owner_consent;
ALTER TABLE programme_partners DROP COLUMN accepted_at;
