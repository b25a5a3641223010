-- The restaurant's tables, each with a QR code that opens the widget on it.
CREATE TABLE IF NOT EXISTS dining_tables (
    id    TEXT PRIMARY KEY,
    label TEXT,
    seats INTEGER
) STRICT;

-- Idempotent replays, 409s and 503s, per minute (`minute` is the minute's
-- start in Unix seconds, UTC): every replica adds its own counts, so the
-- dashboard is right after a restart and across replicas.
CREATE TABLE IF NOT EXISTS intake_counts (
    minute INTEGER NOT NULL,
    kind   TEXT NOT NULL,
    count  INTEGER NOT NULL,
    PRIMARY KEY (minute, kind)
) STRICT;

-- The dashboard reads a day's ticket times from its `ready` events.
CREATE INDEX IF NOT EXISTS order_events_by_status ON order_events (status, order_id);
CREATE INDEX IF NOT EXISTS orders_by_day ON orders (business_day);
