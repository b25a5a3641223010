-- Online payment (see `wendan_payments::Payment` and `payments::transition`).
-- One row per order that has ever had a payment step; `record` is the
-- payment as the transition reads it (JSON), `state` its state for queries.
-- The words are `PaymentState::as_str`.
CREATE TABLE payments (
    order_id   TEXT PRIMARY KEY REFERENCES orders (id),
    provider   TEXT,
    state      TEXT NOT NULL CHECK (state IN ('unpaid', 'pending', 'paid', 'failed',
                   'closed', 'refund_pending', 'refunded', 'counter')),
    attempt    INTEGER NOT NULL,
    record     TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX payments_unsettled ON payments (state)
    WHERE state IN ('pending', 'failed', 'refund_pending', 'paid');

-- One row per provider attempt, written before the provider is called:
-- everything a create sends is here, so asking again sends the same.
CREATE TABLE payment_attempts (
    order_id     TEXT NOT NULL REFERENCES orders (id),
    attempt      INTEGER NOT NULL,
    merchant_ref TEXT NOT NULL UNIQUE,
    channel      TEXT NOT NULL,
    description  TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    handle       TEXT,
    started_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    queries_done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, attempt)
) STRICT;

-- Everything that tried to move a payment, accepted or not: the dashboard's
-- "needed repair" list, the chaos verifier and an investigator read it.
CREATE TABLE payment_events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id     TEXT NOT NULL,
    source       TEXT NOT NULL,
    merchant_ref TEXT,
    accepted     INTEGER NOT NULL,
    refusal      TEXT,
    state_after  TEXT NOT NULL,
    at           TEXT NOT NULL
) STRICT;

CREATE INDEX payment_events_by_order ON payment_events (order_id, seq);
