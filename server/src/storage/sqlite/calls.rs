//! Service calls on SQLite: written by the writer thread, whose one
//! connection makes the insert and the read that follows one step.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;
use wendan_protocol::ServiceCall;

use super::SqliteStore;
use super::rows::{parse_timestamp, timestamp};
use crate::storage::visits::{CALL_SELECT, NewCall, call_reason};
use crate::storage::{CallStore, StorageError};

fn call_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<CallRow> {
    Ok(CallRow {
        id: row.get(0)?,
        table: row.get(1)?,
        visit_id: row.get(2)?,
        reason: row.get(3)?,
        order_number: row.get(4)?,
        order_id: row.get(5)?,
        called_at: row.get(6)?,
        cleared_at: row.get(7)?,
    })
}

struct CallRow {
    id: String,
    table: String,
    visit_id: String,
    reason: String,
    order_number: Option<u32>,
    order_id: Option<String>,
    called_at: String,
    cleared_at: Option<String>,
}

impl CallRow {
    fn call(self) -> Result<ServiceCall, StorageError> {
        Ok(ServiceCall {
            reason: call_reason(&self.reason)?,
            called_at: parse_timestamp(&self.called_at)?,
            cleared_at: self
                .cleared_at
                .as_deref()
                .map(parse_timestamp)
                .transpose()?,
            id: self.id,
            table: self.table,
            visit_id: self.visit_id,
            order_number: self.order_number,
            order_id: self.order_id,
        })
    }
}

/// The call `call` is: its key's own (a retry after staff cleared it is
/// that call, not a new one), else its open twin.
fn find_call(connection: &Connection, call: &NewCall) -> Result<String, StorageError> {
    connection
        .prepare_cached(
            "SELECT id FROM service_calls
             WHERE (device_id = ?1 AND idempotency_key = ?2)
                OR (visit_id = ?3 AND reason = ?4 AND coalesce(order_id, '') = coalesce(?5, '')
                    AND cleared_at IS NULL)
             ORDER BY (device_id = ?1 AND idempotency_key = ?2) DESC
             LIMIT 1",
        )?
        .query_row(
            params![
                call.device_id,
                call.key,
                call.visit_id,
                call.reason.as_str(),
                call.order_id
            ],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(|| StorageError::NotFound(call.id.clone()))
}

fn read_call(connection: &Connection, id: &str) -> Result<ServiceCall, StorageError> {
    connection
        .prepare_cached(&format!("{CALL_SELECT} WHERE c.id = ?1"))?
        .query_row([id], call_row)
        .optional()?
        .ok_or_else(|| StorageError::NotFound(id.to_owned()))?
        .call()
}

impl CallStore for SqliteStore {
    async fn call_staff(&self, call: NewCall) -> Result<ServiceCall, StorageError> {
        let (id, visit_id, reason, order_id) = (
            call.id.clone(),
            call.visit_id.clone(),
            call.reason.as_str(),
            call.order_id.clone(),
        );
        let (device_id, key, at) = (
            call.device_id.clone(),
            call.key.clone(),
            timestamp(call.at)?,
        );
        // Nothing is inserted when the key or an open twin exists.
        self.write(Box::new(move |connection| {
            Ok(connection
                .prepare_cached(
                    "INSERT INTO service_calls (id, visit_id, reason, order_id, device_id,
                                                idempotency_key, called_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![id, visit_id, reason, order_id, device_id, key, at])?)
        }))
        .await?;
        self.read(move |connection| read_call(connection, &find_call(connection, &call)?))
            .await
    }

    async fn open_calls(&self) -> Result<Vec<ServiceCall>, StorageError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "{CALL_SELECT} WHERE c.cleared_at IS NULL ORDER BY c.called_at, c.id"
            ))?;
            let rows = statement.query_map([], call_row)?;
            rows.map(|row| row?.call()).collect()
        })
        .await
    }

    async fn clear_call(&self, id: &str, now: OffsetDateTime) -> Result<bool, StorageError> {
        let id = id.to_owned();
        let cleared = self
            .write(Box::new(move |connection| {
                Ok(connection
                    .prepare_cached(
                        "UPDATE service_calls SET cleared_at = ?2
                         WHERE id = ?1 AND cleared_at IS NULL",
                    )?
                    .execute(params![id, timestamp(now)?])?)
            }))
            .await?;
        Ok(cleared > 0)
    }
}
