-- The kitchen's switches, shared by every replica and kept across restarts.
-- One row while intake is paused, with the message diners are shown.
CREATE TABLE intake_pause (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    message TEXT NOT NULL
);

-- Sold-out (估清) marks over the menu file: true sold out, false back on.
CREATE TABLE sold_out_marks (
    item_id  TEXT PRIMARY KEY,
    sold_out BOOLEAN NOT NULL
);

-- "Undo the last bump" finds the newest `ready` event.
CREATE INDEX order_events_by_status ON order_events (status, seq);
