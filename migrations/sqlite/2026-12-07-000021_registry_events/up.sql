-- The outbox of the registry's other changes that subscribers hear of (recognitions, agreements,
-- learning environments): one row per event and organisation that may see it. Positions come
-- from the certificate feed's counter, so that a subscriber's one cursor orders both.
CREATE TABLE registry_events (
    position BIGINT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    event TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    -- The record's path in the API, from which an event's `url` is made.
    path TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX registry_events_organisation_idx ON registry_events (organisation_id, position);
