DROP TRIGGER api_clients_changed ON api_clients;
DROP FUNCTION notify_api_client_changed();
