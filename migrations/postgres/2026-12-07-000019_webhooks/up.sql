-- Webhook subscriptions: a client's URL that receives the events of its organisation's certificate
-- feed, signed by the Standard Webhooks scheme. The signing secret is sealed with the personal data
-- key; `feed_cursor` is the last feed position already turned into deliveries, so the feed, written
-- in the same transaction as each change, is the outbox. `retry_at` holds back the next attempt
-- after a failure and `leased_until` keeps other instances off while one delivers.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES api_clients (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    description TEXT,
    secret_sealed TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    disabled_reason TEXT,
    failure_run INTEGER NOT NULL,
    feed_cursor BIGINT NOT NULL,
    retry_at TIMESTAMP,
    leased_until TIMESTAMP,
    lease_token TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX webhooks_client_idx ON webhooks (client_id, id);
CREATE INDEX webhooks_due_idx ON webhooks (enabled, retry_at);

-- One event for one subscription: sent in `position` order, retried until it is delivered.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id),
    position BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_status_code INTEGER,
    last_error TEXT,
    next_attempt_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_queue_idx ON webhook_deliveries (webhook_id, state, position, id);
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, id);

-- Every attempt to deliver: when, the receiver's status code or the error, and how long it took.
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt INTEGER NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
