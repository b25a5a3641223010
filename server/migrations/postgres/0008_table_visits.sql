-- Table visits (开台 → 清台): one party's time at a table. A table has at
-- most one open visit (the partial unique index), which is what lets two
-- replicas' first orders for a table, or a scan racing staff, open exactly
-- one (`INSERT … ON CONFLICT DO NOTHING`, then read it). A dine-in order
-- joins its table's open visit as it is stored, and keeps it when the party
-- moves (换桌): the visit's `table_id` is where the party sits now.
-- The words are `VisitOpener::as_str` and `VisitCloser::as_str`.
CREATE TABLE IF NOT EXISTS table_visits (
    id         TEXT PRIMARY KEY,
    table_id   TEXT NOT NULL,
    opened_at  TIMESTAMPTZ NOT NULL,
    opened_by  TEXT NOT NULL CHECK (opened_by IN ('scan', 'staff')),
    closed_at  TIMESTAMPTZ,
    closed_by  TEXT CHECK (closed_by IN ('staff', 'bill')),
    CHECK ((closed_at IS NULL) = (closed_by IS NULL))
);

CREATE UNIQUE INDEX IF NOT EXISTS table_visits_one_open ON table_visits (table_id)
    WHERE closed_at IS NULL;

ALTER TABLE orders ADD COLUMN IF NOT EXISTS visit_id TEXT REFERENCES table_visits (id);

CREATE INDEX IF NOT EXISTS orders_by_visit ON orders (visit_id) WHERE visit_id IS NOT NULL;
