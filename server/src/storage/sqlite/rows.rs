//! Rows ↔ domain values, shared by the writer and the readers.

use bytes::Bytes;
use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use wendan_protocol::{OrderStatus, PlacedOrder};

use crate::storage::{
    NewOrder, ScopedKey, StatusEvent, StorageError, StoredAnswer, order_from_stored, parse_status,
};

pub fn timestamp(at: OffsetDateTime) -> Result<String, StorageError> {
    at.format(&Rfc3339)
        .map_err(|error| StorageError::corrupt_because(format!("time {at}"), error))
}

pub fn parse_timestamp(text: &str) -> Result<OffsetDateTime, StorageError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|error| StorageError::corrupt_because(format!("time `{text}`"), error))
}

pub fn answer_for_key(
    connection: &Connection,
    key: &ScopedKey,
) -> Result<Option<StoredAnswer>, StorageError> {
    let mut statement = connection.prepare_cached(
        "SELECT fingerprint, response_status, response_body, id FROM orders
         WHERE device_id = ?1 AND idempotency_key = ?2",
    )?;
    let row = statement
        .query_row(params![key.device_id, key.key.as_str()], |row| {
            Ok(StoredAnswer {
                fingerprint: row.get(0)?,
                status: row.get(1)?,
                body: Bytes::from(row.get::<_, Vec<u8>>(2)?),
                order_id: row.get(3)?,
            })
        })
        .optional()?;
    Ok(row)
}

type OrderRow = (Vec<u8>, String, Option<String>);

fn order_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<OrderRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
}

pub fn order(connection: &Connection, id: &str) -> Result<Option<PlacedOrder>, StorageError> {
    let mut statement = connection
        .prepare_cached("SELECT response_body, status, status_reason FROM orders WHERE id = ?1")?;
    let row = statement.query_row([id], order_row).optional()?;
    row.map(|(body, status, reason)| order_from_stored(&body, &status, reason))
        .transpose()
}

/// The open orders' query, its statuses from the one enum (SQLite binds no
/// arrays; the names are the enum's own words, never input).
static OPEN_ORDERS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let statuses: Vec<String> = crate::storage::open_status_names()
        .iter()
        .map(|name| format!("'{name}'"))
        .collect();
    format!(
        "SELECT response_body, status, status_reason FROM orders
         WHERE status IN ({}) ORDER BY received_at, number",
        statuses.join(", ")
    )
});

pub fn open_orders(connection: &Connection) -> Result<Vec<PlacedOrder>, StorageError> {
    let mut statement = connection.prepare_cached(&OPEN_ORDERS)?;
    let rows = statement.query_map([], order_row)?;
    rows.map(|row| {
        let (body, status, reason) = row?;
        order_from_stored(&body, &status, reason)
    })
    .collect()
}

pub fn events_after(
    connection: &Connection,
    id: &str,
    after_seq: i64,
) -> Result<Vec<StatusEvent>, StorageError> {
    let mut statement = connection.prepare_cached(
        "SELECT seq, status, at, reason FROM order_events
         WHERE order_id = ?1 AND seq > ?2 ORDER BY seq",
    )?;
    let rows = statement.query_map(rusqlite::params![id, after_seq], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Option<String>>(3)?,
        ))
    })?;
    rows.map(|row| {
        let (seq, status, at, reason) = row?;
        Ok(StatusEvent {
            seq,
            order_id: id.to_owned(),
            status: parse_status(&status)?,
            at: parse_timestamp(&at)?,
            reason,
        })
    })
    .collect()
}

/// Inserts an order numbered `number` with its first answer `body`, and its
/// first event: `status`, its status now (`awaiting_payment` for an order
/// that pays first: the phone following it must not hear `received`).
pub fn insert_order(
    connection: &Connection,
    new: &NewOrder,
    number: i64,
    status: OrderStatus,
    body: &[u8],
) -> Result<(), StorageError> {
    let order = &new.order;
    let received_at = timestamp(order.received_at)?;
    connection
        .prepare_cached(
            "INSERT INTO orders (id, idempotency_key, fingerprint, business_day, number, status, device_id,
                                 received_at, placed_at, total_minor, response_status, response_body,
                                 visit_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 201, ?11, ?12)",
        )?
        .execute(params![
            order.id,
            new.key.key.as_str(),
            new.fingerprint,
            new.business_day,
            number,
            status.as_str(),
            new.key.device_id,
            received_at,
            timestamp(new.placed_at)?,
            order.total_minor,
            body,
            order.visit_id,
        ])?;
    connection
        .prepare_cached("INSERT INTO order_events (order_id, status, at) VALUES (?1, ?2, ?3)")?
        .execute(params![order.id, status.as_str(), received_at])?;
    Ok(())
}
