DROP TABLE registry_events;
