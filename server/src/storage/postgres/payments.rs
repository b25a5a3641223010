//! Payments on PostgreSQL. An update locks the order row (`FOR UPDATE`), so
//! two replicas handling the provider's notification and the server's own
//! query at once apply them one after the other: the second sees the first's
//! result and changes nothing.

use deadpool_postgres::GenericClient;
use time::OffsetDateTime;
use tokio_postgres::Row;
use wendan_payments::MerchantRef;
use wendan_protocol::OrderStatus;

use super::listener::BOARD_CHANNEL;
use super::{PostgresStore, move_order, order_from_row};
use crate::payments::transition::{PaymentUpdate, decide};
use crate::storage::payments::{
    Applied, AttemptColumns, DayPaymentRow, DayPayments, EventLine, PaymentEvent, StoredAttempt,
    StoredPayment, SummaryRow, Unsettled, day_payments, decode_payment, encode_channel,
    encode_payment, lock, parse_payment_state, parse_provider,
};
use crate::storage::visits::OrderAndPayment;
use crate::storage::{PaymentStore, StorageError, parse_status};

impl PaymentStore for PostgresStore {
    async fn payment(&self, order_id: &str) -> Result<Option<StoredPayment>, StorageError> {
        let client = self.pool.get().await?;
        payment(&client, order_id).await
    }

    async fn apply_payment(
        &self,
        order_id: &str,
        update: PaymentUpdate,
        now: OffsetDateTime,
    ) -> Result<Applied, StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let order = transaction
            .query_opt(
                "SELECT response_body, status, status_reason FROM orders WHERE id = $1 FOR UPDATE",
                &[&order_id],
            )
            .await?
            .ok_or_else(|| StorageError::NotFound(order_id.to_owned()))?;
        let order = order_from_row(&order)?;
        let (stored, locked) = lock(&order, payment(&transaction, order_id).await?)?;
        let outcome = decide(&update, &locked, now);
        let mut event = None;
        let mut order_status = order.status;
        let mut after = stored.clone();
        if let Ok(decision) = &outcome {
            let payment_now = decision.payment(&stored.payment);
            let attempt = i32::try_from(payment_now.attempt)
                .map_err(|error| StorageError::corrupt_because("an attempt number", error))?;
            transaction
                .execute(
                    "INSERT INTO payments (order_id, provider, state, attempt, record, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (order_id) DO UPDATE SET provider = $2, state = $3,
                         attempt = $4, record = $5, updated_at = $6",
                    &[
                        &order_id,
                        &decision.provider.map(|provider| provider.as_str()),
                        &payment_now.state.as_str(),
                        &attempt,
                        &encode_payment(payment_now)?,
                        &now,
                    ],
                )
                .await?;
            if let Some(new) = &decision.new_attempt {
                let number = i32::try_from(new.merchant_ref.attempt())
                    .map_err(|error| StorageError::corrupt_because("an attempt number", error))?;
                transaction
                    .execute(
                        "INSERT INTO payment_attempts (order_id, attempt, merchant_ref, channel,
                             description, amount_minor, currency, started_at, expires_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        &[
                            &order_id,
                            &number,
                            &new.merchant_ref.to_string(),
                            &encode_channel(&new.channel)?,
                            &new.description,
                            &new.amount.minor,
                            &new.amount.currency.as_str(),
                            &now,
                            &new.expires_at,
                        ],
                    )
                    .await?;
            }
            if let Some(change) = &decision.order {
                event = Some(move_order(&transaction, order_id, change.clone(), now).await?);
                order_status = change.status;
            }
            if decision.order.is_none() {
                // A payment that moved without its order (started, failed,
                // closed) changes only the kitchen's counter strip: every
                // replica's display re-reads it (NOTIFY is sent on commit).
                transaction
                    .execute("SELECT pg_notify($1, '')", &[&BOARD_CHANNEL])
                    .await?;
            }
            after = payment(&transaction, order_id).await?.ok_or_else(|| {
                StorageError::corrupt(format!("the payment of {order_id} was just written"))
            })?;
        }
        let line = EventLine::of(order_id, &update, &outcome, after.payment.state);
        transaction
            .execute(
                "INSERT INTO payment_events (order_id, source, merchant_ref, accepted, refusal,
                     state_after, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &line.order_id,
                    &line.source,
                    &line.merchant_ref,
                    &line.refusal.is_none(),
                    &line.refusal,
                    &line.state_after.as_str(),
                    &now,
                ],
            )
            .await?;
        transaction.commit().await?;
        // The status event reaches this replica's streams, like every
        // other's, through NOTIFY (sent by `record_event` with the commit).
        Ok(Applied {
            outcome,
            payment: after,
            order_status,
            event,
        })
    }

    async fn set_attempt_handle(
        &self,
        reference: MerchantRef,
        handle: String,
    ) -> Result<(), StorageError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "UPDATE payment_attempts SET handle = $2 WHERE merchant_ref = $1",
                &[&reference.to_string(), &handle],
            )
            .await?;
        Ok(())
    }

    async fn count_query(&self, reference: MerchantRef) -> Result<(), StorageError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "UPDATE payment_attempts SET queries_done = queries_done + 1
                 WHERE merchant_ref = $1",
                &[&reference.to_string()],
            )
            .await?;
        Ok(())
    }

    async fn unsettled_payments(&self) -> Result<Vec<Unsettled>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT payments.order_id, orders.status FROM payments
                 JOIN orders ON orders.id = payments.order_id
                 WHERE payments.state IN ('pending', 'failed', 'refund_pending')
                    OR (payments.state = 'paid' AND orders.status = 'cancelled')
                 ORDER BY payments.updated_at",
                &[],
            )
            .await?;
        let mut unsettled = Vec::with_capacity(rows.len());
        for row in rows {
            let order_id: String = row.get(0);
            // Settled since the list was read (another replica): skip it.
            if let Some(stored) = payment(&client, &order_id).await? {
                unsettled.push(Unsettled {
                    payment: stored,
                    order_status: parse_status(row.get(1))?,
                });
            }
        }
        Ok(unsettled)
    }

    async fn awaiting_payment(&self) -> Result<Vec<OrderAndPayment>, StorageError> {
        let client = self.pool.get().await?;
        let orders = super::visits::orders_with_payments(
            &client,
            "WHERE orders.status = $1",
            &[&OrderStatus::AwaitingPayment.as_str()],
        )
        .await?;
        Ok(orders.into_iter().map(|(_, order)| order).collect())
    }

    async fn unpaid_orders(&self, before: OffsetDateTime) -> Result<Vec<String>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT id FROM orders WHERE status = $1 AND received_at < $2
                 ORDER BY received_at",
                &[&OrderStatus::AwaitingPayment.as_str(), &before],
            )
            .await?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    async fn payment_events(&self, order_id: &str) -> Result<Vec<PaymentEvent>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT seq, source, merchant_ref, accepted, refusal, state_after, at
                 FROM payment_events WHERE order_id = $1 ORDER BY seq",
                &[&order_id],
            )
            .await?;
        rows.iter()
            .map(|row| {
                Ok(PaymentEvent {
                    seq: row.get(0),
                    order_id: order_id.to_owned(),
                    source: row.get(1),
                    merchant_ref: row.get(2),
                    accepted: row.get(3),
                    refusal: row.get(4),
                    state_after: parse_payment_state(row.get(5))?,
                    at: row.get(6),
                })
            })
            .collect()
    }

    async fn day_payments(
        &self,
        business_day: &str,
        limit: u32,
    ) -> Result<DayPayments, StorageError> {
        let client = self.pool.get().await?;
        let summary = client
            .query(
                &format!(
                    "SELECT state, currency, captured_by, COUNT(*), SUM(minor)::BIGINT FROM (
                         SELECT payments.state AS state,
                             payments.record::jsonb #>> '{{expected,currency}}' AS currency,
                             (payments.record::jsonb #>> '{{expected,minor}}')::BIGINT AS minor,
                             {CAPTURED_BY} AS captured_by
                         FROM payments JOIN orders ON orders.id = payments.order_id
                         WHERE orders.business_day = $1) AS day
                     GROUP BY state, currency, captured_by"
                ),
                &[&business_day],
            )
            .await?
            .iter()
            .map(|row| SummaryRow {
                state: row.get(0),
                currency: row.get(1),
                captured_by: row.get(2),
                count: row.get(3),
                sum_minor: row.get(4),
            })
            .collect();
        let latest = client
            .query(
                &format!(
                    "SELECT payments.order_id, orders.number, payments.provider, payments.state,
                         payments.record, {CAPTURED_BY}
                     FROM payments JOIN orders ON orders.id = payments.order_id
                     WHERE orders.business_day = $1
                     ORDER BY orders.number DESC LIMIT $2"
                ),
                &[&business_day, &i64::from(limit)],
            )
            .await?
            .iter()
            .map(|row| DayPaymentRow {
                order_id: row.get(0),
                number: i64::from(row.get::<_, i32>(1)),
                provider: row.get(2),
                state: row.get(3),
                record: row.get(4),
                captured_by: row.get(5),
            })
            .collect();
        day_payments(summary, latest)
    }
}

/// The source of the first accepted line that left the payment `paid`: who
/// brought the capture (see `CapturedBy`).
const CAPTURED_BY: &str = "(SELECT source FROM payment_events
     WHERE payment_events.order_id = payments.order_id
       AND accepted AND state_after = 'paid'
     ORDER BY seq LIMIT 1)";

/// The order's payment with its current attempt.
async fn payment(
    client: &impl GenericClient,
    order_id: &str,
) -> Result<Option<StoredPayment>, StorageError> {
    let Some(row) = client
        .query_opt(
            "SELECT provider, attempt, record FROM payments WHERE order_id = $1",
            &[&order_id],
        )
        .await?
    else {
        return Ok(None);
    };
    let attempt: i32 = row.get(1);
    let current = client
        .query_opt(
            "SELECT merchant_ref, channel, description, amount_minor, currency, handle,
                 started_at, expires_at, queries_done
             FROM payment_attempts WHERE order_id = $1 AND attempt = $2",
            &[&order_id, &attempt],
        )
        .await?
        .as_ref()
        .map(attempt_from_row)
        .transpose()?;
    Ok(Some(StoredPayment {
        payment: decode_payment(row.get(2))?,
        provider: parse_provider(row.get(0))?,
        current,
    }))
}

fn attempt_from_row(row: &Row) -> Result<StoredAttempt, StorageError> {
    AttemptColumns {
        merchant_ref: row.get(0),
        channel: row.get(1),
        description: row.get(2),
        amount_minor: row.get(3),
        currency: row.get(4),
        handle: row.get(5),
        started_at: row.get(6),
        expires_at: row.get(7),
        queries_done: i64::from(row.get::<_, i32>(8)),
    }
    .into_stored()
}
