-- The catalogue's answers are kept in memory per catalogue version. Every write to what the
-- catalogue shows moves the version on in the writer's own transaction, so no write path can
-- leave a stale answer behind. A new organisation is in no answer until it has environments.
INSERT INTO counters (name, value) VALUES ('catalogue_version', 0);

-- Runs at commit (the triggers are deferred) and once per transaction: the counter row's lock is
-- the last one a writer takes, held only while it commits, so it cannot close a deadlock.
CREATE FUNCTION advance_catalogue_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('registry.catalogue_version_advanced', true) IS DISTINCT FROM 'on' THEN
        UPDATE counters SET value = value + 1 WHERE name = 'catalogue_version';
        PERFORM set_config('registry.catalogue_version_advanced', 'on', true);
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER learning_environments_catalogue AFTER INSERT OR UPDATE OR DELETE ON learning_environments
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION advance_catalogue_version();

CREATE CONSTRAINT TRIGGER learning_environment_tasks_catalogue AFTER INSERT OR UPDATE OR DELETE ON learning_environment_tasks
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION advance_catalogue_version();

CREATE CONSTRAINT TRIGGER learning_environment_languages_catalogue AFTER INSERT OR UPDATE OR DELETE ON learning_environment_languages
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION advance_catalogue_version();

CREATE CONSTRAINT TRIGGER recognitions_catalogue AFTER INSERT OR UPDATE OR DELETE ON recognitions
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION advance_catalogue_version();

CREATE CONSTRAINT TRIGGER qualifications_catalogue AFTER INSERT OR UPDATE OR DELETE ON qualifications
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION advance_catalogue_version();

CREATE CONSTRAINT TRIGGER qualification_units_catalogue AFTER INSERT OR UPDATE OR DELETE ON qualification_units
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION advance_catalogue_version();

CREATE CONSTRAINT TRIGGER qualification_unit_links_catalogue AFTER INSERT OR UPDATE OR DELETE ON qualification_unit_links
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION advance_catalogue_version();

CREATE CONSTRAINT TRIGGER municipalities_catalogue AFTER INSERT OR UPDATE OR DELETE ON municipalities
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION advance_catalogue_version();

CREATE CONSTRAINT TRIGGER organisations_catalogue AFTER UPDATE OR DELETE ON organisations
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION advance_catalogue_version();
