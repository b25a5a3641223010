-- Online payment: the same shape as SQLite's (see that file for the why).
CREATE TABLE payments (
    order_id   TEXT PRIMARY KEY REFERENCES orders (id),
    provider   TEXT,
    state      TEXT NOT NULL CHECK (state IN ('unpaid', 'pending', 'paid', 'failed',
                   'closed', 'refund_pending', 'refunded', 'counter')),
    attempt    INTEGER NOT NULL,
    record     TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX payments_unsettled ON payments (state)
    WHERE state IN ('pending', 'failed', 'refund_pending', 'paid');

CREATE TABLE payment_attempts (
    order_id     TEXT NOT NULL REFERENCES orders (id),
    attempt      INTEGER NOT NULL,
    merchant_ref TEXT NOT NULL UNIQUE,
    channel      TEXT NOT NULL,
    description  TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    handle       TEXT,
    started_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    queries_done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, attempt)
);

CREATE TABLE payment_events (
    seq          BIGSERIAL PRIMARY KEY,
    order_id     TEXT NOT NULL,
    source       TEXT NOT NULL,
    merchant_ref TEXT,
    accepted     BOOLEAN NOT NULL,
    refusal      TEXT,
    state_after  TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL
);

CREATE INDEX payment_events_by_order ON payment_events (order_id, seq);
