-- Instances keep which clients are active in memory and forget it all when this counter moves. A
-- change of a client's `active` flag, or its deletion, moves it in the writer's own transaction,
-- whatever made the change (the API, the command line in another process, an operator's SQL).
INSERT INTO counters (name, value) VALUES ('clients_version', 0);

CREATE TRIGGER api_clients_active_changed AFTER UPDATE OF active ON api_clients
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'clients_version'; END;

CREATE TRIGGER api_clients_deleted AFTER DELETE ON api_clients
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'clients_version'; END;
