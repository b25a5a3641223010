//! Table visits on PostgreSQL. The one-open-visit-per-table index decides
//! races between replicas: `INSERT … ON CONFLICT DO NOTHING` waits for a
//! concurrent opening to commit, and the read after it sees that visit.

use deadpool_postgres::GenericClient;
use time::OffsetDateTime;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use wendan_protocol::{TableVisit, VisitCloser, VisitOpener};

use super::PostgresStore;
use super::listener::BOARD_CHANNEL;
use crate::storage::payments::parse_payment_state;
use crate::storage::visits::{
    OpenVisit, OrderAndPayment, VisitMove, new_visit_id, visit_words, with_orders,
};
use crate::storage::{StorageError, VisitStore, order_from_stored};

const VISIT_COLUMNS: &str = "id, table_id, opened_at, opened_by, closed_at, closed_by";

fn visit_from(row: &Row) -> Result<TableVisit, StorageError> {
    let id: String = row.get(0);
    let opened_by: String = row.get(3);
    let closed_by: Option<String> = row.get(5);
    let (opened_by, closed_by) = visit_words(&id, &opened_by, closed_by.as_deref())?;
    Ok(TableVisit {
        opened_by,
        closed_by,
        table: row.get(1),
        opened_at: row.get(2),
        closed_at: row.get(4),
        id,
    })
}

pub(super) async fn open_visit(
    client: &impl GenericClient,
    table_id: &str,
) -> Result<Option<TableVisit>, StorageError> {
    client
        .query_opt(
            &format!(
                "SELECT {VISIT_COLUMNS} FROM table_visits WHERE table_id = $1 AND closed_at IS NULL"
            ),
            &[&table_id],
        )
        .await?
        .as_ref()
        .map(visit_from)
        .transpose()
}

/// Opens a visit at the table unless one is open; the open one, and
/// whether this call opened it. Also run inside an order's create, so the
/// order and its visit commit together (the order's own event then tells
/// the displays; a scan or staff opening it alone announces it).
pub(super) async fn open_visit_at(
    client: &impl GenericClient,
    table_id: &str,
    opener: VisitOpener,
    now: OffsetDateTime,
) -> Result<(TableVisit, bool), StorageError> {
    let opened = client
        .execute(
            "INSERT INTO table_visits (id, table_id, opened_at, opened_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (table_id) WHERE closed_at IS NULL DO NOTHING",
            &[&new_visit_id(), &table_id, &now, &opener.as_str()],
        )
        .await?;
    let visit = open_visit(client, table_id).await?.ok_or_else(|| {
        StorageError::corrupt(format!("table {table_id}'s visit vanished as it opened"))
    })?;
    Ok((visit, opened > 0))
}

/// Every replica's kitchen displays re-read the board (on commit).
pub(super) async fn notify_board(client: &impl GenericClient) -> Result<(), StorageError> {
    client
        .execute("SELECT pg_notify($1, '')", &[&BOARD_CHANNEL])
        .await?;
    Ok(())
}

impl VisitStore for PostgresStore {
    async fn open_visit(&self, table_id: &str) -> Result<Option<TableVisit>, StorageError> {
        let client = self.pool.get().await?;
        open_visit(&client, table_id).await
    }

    async fn open_visit_at(
        &self,
        table_id: &str,
        opener: VisitOpener,
        now: OffsetDateTime,
    ) -> Result<TableVisit, StorageError> {
        let client = self.pool.get().await?;
        let (visit, opened) = open_visit_at(&client, table_id, opener, now).await?;
        if opened {
            notify_board(&client).await?;
        }
        Ok(visit)
    }

    async fn visit(&self, id: &str) -> Result<Option<TableVisit>, StorageError> {
        let client = self.pool.get().await?;
        client
            .query_opt(
                &format!("SELECT {VISIT_COLUMNS} FROM table_visits WHERE id = $1"),
                &[&id],
            )
            .await?
            .as_ref()
            .map(visit_from)
            .transpose()
    }

    async fn open_visits(&self) -> Result<Vec<OpenVisit>, StorageError> {
        let client = self.pool.get().await?;
        let visits = client
            .query(
                &format!(
                    "SELECT {VISIT_COLUMNS} FROM table_visits WHERE closed_at IS NULL
                     ORDER BY opened_at, table_id"
                ),
                &[],
            )
            .await?
            .iter()
            .map(visit_from)
            .collect::<Result<Vec<_>, _>>()?;
        let orders = orders_with_payments(
            &client,
            "JOIN table_visits ON table_visits.id = orders.visit_id
             WHERE table_visits.closed_at IS NULL",
            &[],
        )
        .await?;
        Ok(with_orders(visits, orders))
    }

    async fn close_visit(
        &self,
        id: &str,
        closer: VisitCloser,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let closed = transaction
            .execute(
                "UPDATE table_visits SET closed_at = $2, closed_by = $3
                 WHERE id = $1 AND closed_at IS NULL",
                &[&id, &now, &closer.as_str()],
            )
            .await?;
        if closed > 0 {
            // The party left: its calls are answered.
            transaction
                .execute(
                    "UPDATE service_calls SET cleared_at = $2
                     WHERE visit_id = $1 AND cleared_at IS NULL",
                    &[&id, &now],
                )
                .await?;
            notify_board(&transaction).await?;
        }
        transaction.commit().await?;
        Ok(closed > 0)
    }

    async fn move_visit(&self, id: &str, to_table: &str) -> Result<VisitMove, StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let moved = transaction
            .execute(
                "UPDATE table_visits SET table_id = $2
                 WHERE id = $1 AND closed_at IS NULL AND table_id <> $2",
                &[&id, &to_table],
            )
            .await;
        match moved {
            Ok(0) => {
                drop(transaction);
                Ok(match VisitStore::visit(self, id).await? {
                    Some(visit) if visit.is_open() => VisitMove::Moved,
                    _ => VisitMove::NotOpen,
                })
            }
            Ok(_) => {
                notify_board(&transaction).await?;
                transaction.commit().await?;
                Ok(VisitMove::Moved)
            }
            // The other table has an open visit: the index refused.
            Err(error) if error.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                Ok(VisitMove::TableTaken)
            }
            Err(error) => Err(error.into()),
        }
    }

    async fn visit_orders(&self, id: &str) -> Result<Vec<OrderAndPayment>, StorageError> {
        let client = self.pool.get().await?;
        let orders = orders_with_payments(&client, "WHERE orders.visit_id = $1", &[&id]).await?;
        Ok(orders.into_iter().map(|(_, order)| order).collect())
    }
}

/// Orders with their visit's id and payment's state, oldest first, chosen
/// by `filter` (a constant of this crate, never input).
pub(super) async fn orders_with_payments(
    client: &impl GenericClient,
    filter: &str,
    parameters: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<(Option<String>, OrderAndPayment)>, StorageError> {
    let rows = client
        .query(
            &format!(
                "SELECT orders.visit_id, orders.response_body, orders.status,
                        orders.status_reason, payments.state
                 FROM orders LEFT JOIN payments ON payments.order_id = orders.id
                 {filter}
                 ORDER BY orders.received_at, orders.number"
            ),
            parameters,
        )
        .await?;
    rows.iter()
        .map(|row| {
            let payment: Option<String> = row.get(4);
            let order = OrderAndPayment {
                order: order_from_stored(row.get(1), row.get(2), row.get(3))?,
                payment: payment.as_deref().map(parse_payment_state).transpose()?,
            };
            Ok((row.get(0), order))
        })
        .collect()
}
