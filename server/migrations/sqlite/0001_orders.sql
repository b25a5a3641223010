-- Orders and their idempotency keys live in one row: the order *is* its key's
-- answer, so a replay days later returns the same order, byte for byte.
CREATE TABLE orders (
    id                TEXT PRIMARY KEY,
    idempotency_key   TEXT NOT NULL UNIQUE,
    -- SHA-256 of the canonical request (without the per-attempt `sent_at`).
    fingerprint       TEXT NOT NULL,
    -- The restaurant's local trading day; numbers restart each day.
    business_day      TEXT NOT NULL,
    number            INTEGER NOT NULL,
    status            TEXT NOT NULL,
    status_reason     TEXT,
    device_id         TEXT NOT NULL,
    received_at       TEXT NOT NULL,
    client_created_at TEXT NOT NULL,
    total_minor       INTEGER NOT NULL,
    -- The first answer, replayed as is.
    response_status   INTEGER NOT NULL,
    response_body     BLOB NOT NULL,
    UNIQUE (business_day, number)
) STRICT;

CREATE INDEX orders_open ON orders (received_at)
    WHERE status IN ('received', 'preparing', 'ready');

-- Every status an order has had, in order: SSE resumes from `seq`.
CREATE TABLE order_events (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    status   TEXT NOT NULL,
    reason   TEXT,
    at       TEXT NOT NULL
) STRICT;

CREATE INDEX order_events_by_order ON order_events (order_id, seq);
