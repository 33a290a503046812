DROP TRIGGER api_clients_deleted;
DROP TRIGGER api_clients_active_changed;
DELETE FROM counters WHERE name = 'clients_version';
