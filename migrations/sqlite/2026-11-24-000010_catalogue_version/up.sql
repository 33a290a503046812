-- The catalogue's answers are kept in memory per catalogue version. Every write to what the
-- catalogue shows moves the version on in the writer's own transaction, so no write path can
-- leave a stale answer behind. A new organisation is in no answer until it has environments.
INSERT INTO counters (name, value) VALUES ('catalogue_version', 0);

CREATE TRIGGER learning_environments_insert_catalogue AFTER INSERT ON learning_environments
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER learning_environments_update_catalogue AFTER UPDATE ON learning_environments
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER learning_environments_delete_catalogue AFTER DELETE ON learning_environments
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER learning_environment_tasks_insert_catalogue AFTER INSERT ON learning_environment_tasks
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER learning_environment_tasks_update_catalogue AFTER UPDATE ON learning_environment_tasks
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER learning_environment_tasks_delete_catalogue AFTER DELETE ON learning_environment_tasks
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER learning_environment_languages_insert_catalogue AFTER INSERT ON learning_environment_languages
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER learning_environment_languages_update_catalogue AFTER UPDATE ON learning_environment_languages
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER learning_environment_languages_delete_catalogue AFTER DELETE ON learning_environment_languages
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER recognitions_insert_catalogue AFTER INSERT ON recognitions
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER recognitions_update_catalogue AFTER UPDATE ON recognitions
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER recognitions_delete_catalogue AFTER DELETE ON recognitions
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER qualifications_insert_catalogue AFTER INSERT ON qualifications
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER qualifications_update_catalogue AFTER UPDATE ON qualifications
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER qualifications_delete_catalogue AFTER DELETE ON qualifications
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER qualification_units_insert_catalogue AFTER INSERT ON qualification_units
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER qualification_units_update_catalogue AFTER UPDATE ON qualification_units
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER qualification_units_delete_catalogue AFTER DELETE ON qualification_units
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER qualification_unit_links_insert_catalogue AFTER INSERT ON qualification_unit_links
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER qualification_unit_links_update_catalogue AFTER UPDATE ON qualification_unit_links
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER qualification_unit_links_delete_catalogue AFTER DELETE ON qualification_unit_links
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER municipalities_insert_catalogue AFTER INSERT ON municipalities
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER municipalities_update_catalogue AFTER UPDATE ON municipalities
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER municipalities_delete_catalogue AFTER DELETE ON municipalities
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER organisations_update_catalogue AFTER UPDATE ON organisations
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;

CREATE TRIGGER organisations_delete_catalogue AFTER DELETE ON organisations
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version'; END;
