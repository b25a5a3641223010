//! Service calls on PostgreSQL. `ON CONFLICT DO NOTHING` covers both the
//! phone's key and the one-open-call index, and waits for a concurrent
//! insert to commit, so the read after it finds the one call.

use deadpool_postgres::GenericClient;
use time::OffsetDateTime;
use tokio_postgres::Row;
use wendan_protocol::ServiceCall;

use super::PostgresStore;
use super::visits::notify_board;
use crate::storage::visits::{CALL_SELECT, NewCall, call_reason};
use crate::storage::{CallStore, StorageError};

fn call_from(row: &Row) -> Result<ServiceCall, StorageError> {
    let reason: String = row.get(3);
    let number: Option<i32> = row.get(4);
    Ok(ServiceCall {
        id: row.get(0),
        table: row.get(1),
        visit_id: row.get(2),
        reason: call_reason(&reason)?,
        order_number: number.and_then(|number| u32::try_from(number).ok()),
        order_id: row.get(5),
        called_at: row.get(6),
        cleared_at: row.get(7),
    })
}

async fn read_call(client: &impl GenericClient, id: &str) -> Result<ServiceCall, StorageError> {
    let row = client
        .query_opt(&format!("{CALL_SELECT} WHERE c.id = $1"), &[&id])
        .await?
        .ok_or_else(|| StorageError::NotFound(id.to_owned()))?;
    call_from(&row)
}

impl CallStore for PostgresStore {
    async fn call_staff(&self, call: NewCall) -> Result<ServiceCall, StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let made = transaction
            .execute(
                "INSERT INTO service_calls (id, visit_id, reason, order_id, device_id,
                                            idempotency_key, called_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT DO NOTHING",
                &[
                    &call.id,
                    &call.visit_id,
                    &call.reason.as_str(),
                    &call.order_id,
                    &call.device_id,
                    &call.key,
                    &call.at,
                ],
            )
            .await?;
        if made > 0 {
            notify_board(&transaction).await?;
        }
        transaction.commit().await?;
        // The key's own call first (a retry after staff cleared it is that
        // call), else the open twin.
        let id: String = client
            .query_opt(
                "SELECT id FROM service_calls
                 WHERE (device_id = $1 AND idempotency_key = $2)
                    OR (visit_id = $3 AND reason = $4
                        AND coalesce(order_id, '') = coalesce($5, '') AND cleared_at IS NULL)
                 ORDER BY (device_id = $1 AND idempotency_key = $2) DESC
                 LIMIT 1",
                &[
                    &call.device_id,
                    &call.key,
                    &call.visit_id,
                    &call.reason.as_str(),
                    &call.order_id,
                ],
            )
            .await?
            .map(|row| row.get(0))
            .ok_or_else(|| StorageError::NotFound(call.id.clone()))?;
        read_call(&client, &id).await
    }

    async fn open_calls(&self) -> Result<Vec<ServiceCall>, StorageError> {
        let client = self.pool.get().await?;
        client
            .query(
                &format!("{CALL_SELECT} WHERE c.cleared_at IS NULL ORDER BY c.called_at, c.id"),
                &[],
            )
            .await?
            .iter()
            .map(call_from)
            .collect()
    }

    async fn clear_call(&self, id: &str, now: OffsetDateTime) -> Result<bool, StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let cleared = transaction
            .execute(
                "UPDATE service_calls SET cleared_at = $2 WHERE id = $1 AND cleared_at IS NULL",
                &[&id, &now],
            )
            .await?;
        if cleared > 0 {
            notify_board(&transaction).await?;
        }
        transaction.commit().await?;
        Ok(cleared > 0)
    }
}
