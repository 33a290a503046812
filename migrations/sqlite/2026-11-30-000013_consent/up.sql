-- A programme's partner takes part only once it has accepted. Partners named before this
-- migration never did: they are invitations now, until each accepts.
ALTER TABLE programme_partners ADD COLUMN accepted_at TIMESTAMP;

-- What the owner of a learning environment said of another organisation's recognition of it:
-- own (the provider owns the environment), pending, accepted or declined. A recognition is
-- public while it is own or accepted, or pending under an agreement in force that covers the
-- environment. Recognitions made before this migration without the owner are pending.
ALTER TABLE recognitions ADD COLUMN owner_consent TEXT NOT NULL DEFAULT 'pending';
UPDATE recognitions SET owner_consent = 'own'
WHERE provider_organisation_id = (
    SELECT organisation_id FROM learning_environments WHERE learning_environments.id = recognitions.environment_id
);

-- Whether an agreement is in force decides what the catalogue shows.
CREATE TRIGGER agreements_insert_catalogue AFTER INSERT ON agreements
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER agreements_update_catalogue AFTER UPDATE ON agreements
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER agreements_delete_catalogue AFTER DELETE ON agreements
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;
