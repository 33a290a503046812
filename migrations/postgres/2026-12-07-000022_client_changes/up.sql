-- Instances keep which clients are active in memory. A change of a client's `active` flag, or its
-- deletion, is told to every instance listening, with the client's id, when it commits: whatever
-- made it (the API, the command line or an operator's SQL).
CREATE FUNCTION notify_api_client_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('api_client_changed', OLD.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER api_clients_changed AFTER UPDATE OF active OR DELETE ON api_clients
FOR EACH ROW EXECUTE FUNCTION notify_api_client_changed();
