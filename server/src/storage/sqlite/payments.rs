//! Payments on SQLite. Updates run on the writer thread (which is the lock:
//! one writer, so nothing changes between the read and the write); reads on
//! the reader pool.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;
use tokio::sync::oneshot;
use wendan_payments::MerchantRef;
use wendan_protocol::OrderStatus;

use super::SqliteStore;
use super::rows::{self, parse_timestamp, timestamp};
use super::writer::Job;
use crate::payments::transition::{PaymentUpdate, decide};
use crate::storage::payments::{
    Applied, AttemptColumns, DayPaymentRow, DayPayments, EventLine, PaymentEvent, StoredAttempt,
    StoredPayment, SummaryRow, Unsettled, day_payments, decode_payment, encode_channel,
    encode_payment, lock, parse_payment_state, parse_provider,
};
use crate::storage::visits::OrderAndPayment;
use crate::storage::{PaymentStore, StorageError, parse_status};

impl PaymentStore for SqliteStore {
    async fn payment(&self, order_id: &str) -> Result<Option<StoredPayment>, StorageError> {
        let order_id = order_id.to_owned();
        self.read(move |connection| payment(connection, &order_id))
            .await
    }

    async fn apply_payment(
        &self,
        order_id: &str,
        update: PaymentUpdate,
        now: OffsetDateTime,
    ) -> Result<Applied, StorageError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Payment {
            order_id: order_id.to_owned(),
            update: Box::new(update),
            at: now,
            reply,
        })?;
        let applied = answer.await.map_err(|_| StorageError::WriterGone)??;
        if let Some(event) = &applied.event {
            self.events.publish(event.clone());
        }
        Ok(applied)
    }

    async fn set_attempt_handle(
        &self,
        reference: MerchantRef,
        handle: String,
    ) -> Result<(), StorageError> {
        self.write(Box::new(move |connection| {
            set_handle(connection, reference, &handle)
        }))
        .await
        .map(drop)
    }

    async fn count_query(&self, reference: MerchantRef) -> Result<(), StorageError> {
        self.write(Box::new(move |connection| {
            count_query(connection, reference)
        }))
        .await
        .map(drop)
    }

    async fn unsettled_payments(&self) -> Result<Vec<Unsettled>, StorageError> {
        self.read(unsettled).await
    }

    async fn awaiting_payment(&self) -> Result<Vec<OrderAndPayment>, StorageError> {
        self.read(|connection| {
            let orders = super::visits::orders_with_payments(
                connection,
                "WHERE orders.status = ?1",
                [OrderStatus::AwaitingPayment.as_str()],
            )?;
            Ok(orders.into_iter().map(|(_, order)| order).collect())
        })
        .await
    }

    async fn unpaid_orders(&self, before: OffsetDateTime) -> Result<Vec<String>, StorageError> {
        self.read(move |connection| unpaid_orders(connection, before))
            .await
    }

    async fn payment_events(&self, order_id: &str) -> Result<Vec<PaymentEvent>, StorageError> {
        let order_id = order_id.to_owned();
        self.read(move |connection| events(connection, &order_id))
            .await
    }

    async fn day_payments(
        &self,
        business_day: &str,
        limit: u32,
    ) -> Result<DayPayments, StorageError> {
        let day = business_day.to_owned();
        self.read(move |connection| read_day_payments(connection, &day, limit))
            .await
    }
}

/// Applies one update in the writer's transaction (see `PaymentStore::apply_payment`).
pub(super) fn apply(
    connection: &Connection,
    order_id: &str,
    update: PaymentUpdate,
    now: OffsetDateTime,
) -> Result<Applied, StorageError> {
    let order = rows::order(connection, order_id)?
        .ok_or_else(|| StorageError::NotFound(order_id.to_owned()))?;
    let (stored, locked) = lock(&order, payment(connection, order_id)?)?;
    let outcome = decide(&update, &locked, now);
    let mut event = None;
    let mut order_status = order.status;
    let mut after = stored.clone();
    if let Ok(decision) = &outcome {
        let payment = decision.payment(&stored.payment);
        connection
            .prepare_cached(
                "INSERT INTO payments (order_id, provider, state, attempt, record, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (order_id) DO UPDATE SET provider = ?2, state = ?3,
                     attempt = ?4, record = ?5, updated_at = ?6",
            )?
            .execute(params![
                order_id,
                decision.provider.map(|provider| provider.as_str()),
                payment.state.as_str(),
                payment.attempt,
                encode_payment(payment)?,
                timestamp(now)?,
            ])?;
        if let Some(attempt) = &decision.new_attempt {
            connection
                .prepare_cached(
                    "INSERT INTO payment_attempts (order_id, attempt, merchant_ref, channel,
                         description, amount_minor, currency, started_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    order_id,
                    attempt.merchant_ref.attempt(),
                    attempt.merchant_ref.to_string(),
                    encode_channel(&attempt.channel)?,
                    attempt.description,
                    attempt.amount.minor,
                    attempt.amount.currency.as_str(),
                    timestamp(now)?,
                    timestamp(attempt.expires_at)?,
                ])?;
        }
        if let Some(change) = &decision.order {
            event = Some(super::writer::record_status(
                connection,
                order_id,
                change.clone(),
                now,
            )?);
            order_status = change.status;
        }
        after = payment_or_corrupt(connection, order_id)?;
    }
    let line = EventLine::of(order_id, &update, &outcome, after.payment.state);
    record_event(connection, &line, now)?;
    Ok(Applied {
        outcome,
        payment: after,
        order_status,
        event,
    })
}

fn record_event(
    connection: &Connection,
    line: &EventLine<'_>,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    connection
        .prepare_cached(
            "INSERT INTO payment_events (order_id, source, merchant_ref, accepted, refusal,
                 state_after, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            line.order_id,
            line.source,
            line.merchant_ref,
            line.refusal.is_none(),
            line.refusal,
            line.state_after.as_str(),
            timestamp(now)?,
        ])?;
    Ok(())
}

fn payment_or_corrupt(
    connection: &Connection,
    order_id: &str,
) -> Result<StoredPayment, StorageError> {
    payment(connection, order_id)?
        .ok_or_else(|| StorageError::corrupt(format!("the payment of {order_id} was just written")))
}

/// The order's payment with its current attempt.
fn payment(connection: &Connection, order_id: &str) -> Result<Option<StoredPayment>, StorageError> {
    let row: Option<(Option<String>, i64, String)> = connection
        .prepare_cached("SELECT provider, attempt, record FROM payments WHERE order_id = ?1")?
        .query_row([order_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    let Some((provider, attempt, record)) = row else {
        return Ok(None);
    };
    let current = connection
        .prepare_cached(
            "SELECT merchant_ref, channel, description, amount_minor, currency, handle,
                 started_at, expires_at, queries_done
             FROM payment_attempts WHERE order_id = ?1 AND attempt = ?2",
        )?
        .query_row(params![order_id, attempt], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, String>(7)?,
                row.get::<_, i64>(8)?,
            ))
        })
        .optional()?
        .map(
            |(
                merchant_ref,
                channel,
                description,
                amount_minor,
                currency,
                handle,
                started,
                expires,
                queries_done,
            )|
             -> Result<StoredAttempt, StorageError> {
                AttemptColumns {
                    merchant_ref,
                    channel,
                    description,
                    amount_minor,
                    currency,
                    handle,
                    started_at: parse_timestamp(&started)?,
                    expires_at: parse_timestamp(&expires)?,
                    queries_done,
                }
                .into_stored()
            },
        )
        .transpose()?;
    Ok(Some(StoredPayment {
        payment: decode_payment(&record)?,
        provider: parse_provider(provider.as_deref())?,
        current,
    }))
}

fn set_handle(
    connection: &Connection,
    reference: MerchantRef,
    handle: &str,
) -> Result<usize, StorageError> {
    Ok(connection
        .prepare_cached("UPDATE payment_attempts SET handle = ?2 WHERE merchant_ref = ?1")?
        .execute(params![reference.to_string(), handle])?)
}

fn count_query(connection: &Connection, reference: MerchantRef) -> Result<usize, StorageError> {
    Ok(connection
        .prepare_cached(
            "UPDATE payment_attempts SET queries_done = queries_done + 1 WHERE merchant_ref = ?1",
        )?
        .execute([reference.to_string()])?)
}

fn unsettled(connection: &Connection) -> Result<Vec<Unsettled>, StorageError> {
    let ids: Vec<(String, String)> = connection
        .prepare_cached(
            "SELECT payments.order_id, orders.status FROM payments
             JOIN orders ON orders.id = payments.order_id
             WHERE payments.state IN ('pending', 'failed', 'refund_pending')
                OR (payments.state = 'paid' AND orders.status = 'cancelled')
             ORDER BY payments.updated_at",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    ids.into_iter()
        .map(|(order_id, status)| {
            Ok(Unsettled {
                payment: payment_or_corrupt(connection, &order_id)?,
                order_status: parse_status(&status)?,
            })
        })
        .collect()
}

fn unpaid_orders(
    connection: &Connection,
    before: OffsetDateTime,
) -> Result<Vec<String>, StorageError> {
    let ids = connection
        .prepare_cached(
            "SELECT id FROM orders WHERE status = ?1 AND received_at < ?2 ORDER BY received_at",
        )?
        .query_map(
            params![OrderStatus::AwaitingPayment.as_str(), timestamp(before)?],
            |row| row.get(0),
        )?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

/// A `payment_events` row as SQLite gives it (times as text).
type EventRow = (
    i64,
    String,
    Option<String>,
    bool,
    Option<String>,
    String,
    String,
);

fn events(connection: &Connection, order_id: &str) -> Result<Vec<PaymentEvent>, StorageError> {
    let rows: Vec<EventRow> = connection
        .prepare_cached(
            "SELECT seq, source, merchant_ref, accepted, refusal, state_after, at
             FROM payment_events WHERE order_id = ?1 ORDER BY seq",
        )?
        .query_map([order_id], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
                row.get(6)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(
            |(seq, source, merchant_ref, accepted, refusal, state_after, at)| {
                Ok(PaymentEvent {
                    seq,
                    order_id: order_id.to_owned(),
                    source,
                    merchant_ref,
                    accepted,
                    refusal,
                    state_after: parse_payment_state(&state_after)?,
                    at: parse_timestamp(&at)?,
                })
            },
        )
        .collect()
}

/// The source of the first accepted line that left the payment `paid`: who
/// brought the capture (see `CapturedBy`).
const CAPTURED_BY: &str = "(SELECT source FROM payment_events
     WHERE payment_events.order_id = payments.order_id
       AND accepted = 1 AND state_after = 'paid'
     ORDER BY seq LIMIT 1)";

fn read_day_payments(
    connection: &Connection,
    day: &str,
    limit: u32,
) -> Result<DayPayments, StorageError> {
    let summary = connection
        .prepare_cached(&format!(
            "SELECT state, currency, captured_by, COUNT(*), SUM(minor) FROM (
                 SELECT payments.state AS state,
                     json_extract(payments.record, '$.expected.currency') AS currency,
                     json_extract(payments.record, '$.expected.minor') AS minor,
                     {CAPTURED_BY} AS captured_by
                 FROM payments JOIN orders ON orders.id = payments.order_id
                 WHERE orders.business_day = ?1)
             GROUP BY state, currency, captured_by"
        ))?
        .query_map([day], |row| {
            Ok(SummaryRow {
                state: row.get(0)?,
                currency: row.get(1)?,
                captured_by: row.get(2)?,
                count: row.get(3)?,
                sum_minor: row.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let latest = connection
        .prepare_cached(&format!(
            "SELECT payments.order_id, orders.number, payments.provider, payments.state,
                 payments.record, {CAPTURED_BY}
             FROM payments JOIN orders ON orders.id = payments.order_id
             WHERE orders.business_day = ?1
             ORDER BY orders.number DESC LIMIT ?2"
        ))?
        .query_map(params![day, limit], |row| {
            Ok(DayPaymentRow {
                order_id: row.get(0)?,
                number: row.get(1)?,
                provider: row.get(2)?,
                state: row.get(3)?,
                record: row.get(4)?,
                captured_by: row.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    day_payments(summary, latest)
}
