-- Idempotency keys are unique per device, not across all devices: a key
-- another device sends makes that device's own order (see `ScopedKey`).
-- `placed_at` replaces `client_created_at`: when the diner placed the order
-- on the server's clock (received_at − the order's age on the phone), so a
-- wrong phone clock cannot distort the dashboard's delivery delay. Rows from
-- before keep the phone's own time there; the dashboard bounds them.
--
-- SQLite changes a table's constraints only by rebuilding it; the migration
-- runner switches foreign keys off around this and checks them before commit.
CREATE TABLE orders_0005 (
    id                TEXT PRIMARY KEY,
    idempotency_key   TEXT NOT NULL,
    -- SHA-256 of the canonical request (without the per-attempt `sent_at`).
    fingerprint       TEXT NOT NULL,
    -- The restaurant's local trading day; numbers restart each day.
    business_day      TEXT NOT NULL,
    number            INTEGER NOT NULL,
    status            TEXT NOT NULL,
    status_reason     TEXT,
    device_id         TEXT NOT NULL,
    received_at       TEXT NOT NULL,
    placed_at         TEXT NOT NULL,
    total_minor       INTEGER NOT NULL,
    -- The first answer, replayed as is.
    response_status   INTEGER NOT NULL,
    response_body     BLOB NOT NULL,
    UNIQUE (device_id, idempotency_key),
    UNIQUE (business_day, number)
) STRICT;

INSERT INTO orders_0005 (id, idempotency_key, fingerprint, business_day, number, status,
                         status_reason, device_id, received_at, placed_at, total_minor,
                         response_status, response_body)
SELECT id, idempotency_key, fingerprint, business_day, number, status,
       status_reason, device_id, received_at, client_created_at, total_minor,
       response_status, response_body
FROM orders;

DROP TABLE orders;
ALTER TABLE orders_0005 RENAME TO orders;

CREATE INDEX orders_open ON orders (received_at)
    WHERE status IN ('received', 'preparing', 'ready');
CREATE INDEX orders_by_day ON orders (business_day);
