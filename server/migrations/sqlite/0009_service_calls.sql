-- Service for the table (催单, 呼叫服务员): one row per call, on the table's
-- visit, until staff clear it (or the table is cleared). A phone's retry is
-- the same call (its key), and a visit has at most one open call per reason
-- and order (the partial index), so five presses, or two phones, are one.
-- The words are `CallReason::as_str`.
CREATE TABLE service_calls (
    id              TEXT PRIMARY KEY,
    visit_id        TEXT NOT NULL REFERENCES table_visits (id),
    reason          TEXT NOT NULL CHECK (reason IN ('hurry', 'water', 'broth', 'bill', 'other')),
    order_id        TEXT REFERENCES orders (id),
    device_id       TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    called_at       TEXT NOT NULL,
    cleared_at      TEXT,
    UNIQUE (device_id, idempotency_key)
) STRICT;

CREATE UNIQUE INDEX service_calls_one_open
    ON service_calls (visit_id, reason, coalesce(order_id, ''))
    WHERE cleared_at IS NULL;
