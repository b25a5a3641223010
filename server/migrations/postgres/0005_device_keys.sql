-- Idempotency keys are unique per device, not across all devices: a key
-- another device sends makes that device's own order (see `ScopedKey`).
-- `placed_at` replaces `client_created_at`: when the diner placed the order
-- on the server's clock (received_at − the order's age on the phone), so a
-- wrong phone clock cannot distort the dashboard's delivery delay. Rows from
-- before keep the phone's own time there; the dashboard bounds them.
ALTER TABLE orders DROP CONSTRAINT orders_idempotency_key_key;
ALTER TABLE orders ADD CONSTRAINT orders_device_key UNIQUE (device_id, idempotency_key);
ALTER TABLE orders RENAME COLUMN client_created_at TO placed_at;
