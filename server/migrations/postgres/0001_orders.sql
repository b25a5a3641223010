-- Same shape as SQLite's: an order and its idempotency key are one row, and
-- the key's uniqueness is the database's promise across replicas.
CREATE TABLE orders (
    id                TEXT PRIMARY KEY,
    idempotency_key   TEXT NOT NULL UNIQUE,
    fingerprint       TEXT NOT NULL,
    business_day      TEXT NOT NULL,
    number            INTEGER NOT NULL,
    status            TEXT NOT NULL,
    status_reason     TEXT,
    device_id         TEXT NOT NULL,
    received_at       TIMESTAMPTZ NOT NULL,
    client_created_at TIMESTAMPTZ NOT NULL,
    total_minor       BIGINT NOT NULL,
    response_status   SMALLINT NOT NULL,
    response_body     BYTEA NOT NULL,
    UNIQUE (business_day, number)
);

CREATE INDEX orders_open ON orders (received_at)
    WHERE status IN ('received', 'preparing', 'ready');

-- Replicas take daily order numbers from one row per day.
CREATE TABLE day_counters (
    business_day TEXT PRIMARY KEY,
    last_number  INTEGER NOT NULL
);

CREATE TABLE order_events (
    seq      BIGSERIAL PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    status   TEXT NOT NULL,
    reason   TEXT,
    at       TIMESTAMPTZ NOT NULL
);

CREATE INDEX order_events_by_order ON order_events (order_id, seq);
