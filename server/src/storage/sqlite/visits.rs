//! Table visits on SQLite. Writes go through the single writer thread; the
//! one-open-visit-per-table index decides races, as on PostgreSQL.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;
use wendan_protocol::{TableVisit, VisitCloser, VisitOpener};

use super::SqliteStore;
use super::rows::{parse_timestamp, timestamp};
use crate::storage::payments::parse_payment_state;
use crate::storage::visits::{
    OpenVisit, OrderAndPayment, VisitMove, new_visit_id, visit_words, with_orders,
};
use crate::storage::{StorageError, VisitStore, order_from_stored};

const VISIT_COLUMNS: &str = "id, table_id, opened_at, opened_by, closed_at, closed_by";

type VisitRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn visit_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<VisitRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn visit_from(row: VisitRow) -> Result<TableVisit, StorageError> {
    let (id, table, opened_at, opened_by, closed_at, closed_by) = row;
    let (opened_by, closed_by) = visit_words(&id, &opened_by, closed_by.as_deref())?;
    Ok(TableVisit {
        opened_by,
        closed_by,
        opened_at: parse_timestamp(&opened_at)?,
        closed_at: closed_at.as_deref().map(parse_timestamp).transpose()?,
        id,
        table,
    })
}

/// The table's open visit.
pub fn open_visit(
    connection: &Connection,
    table_id: &str,
) -> Result<Option<TableVisit>, StorageError> {
    connection
        .prepare_cached(&format!(
            "SELECT {VISIT_COLUMNS} FROM table_visits WHERE table_id = ?1 AND closed_at IS NULL"
        ))?
        .query_row([table_id], visit_row)
        .optional()?
        .map(visit_from)
        .transpose()
}

/// Opens a visit at the table unless one is open; the open one. Run by the
/// writer (also inside an order's create), so nothing races it here; the
/// index is the promise all the same.
pub fn open_visit_at(
    connection: &Connection,
    table_id: &str,
    opener: VisitOpener,
    now: OffsetDateTime,
) -> Result<TableVisit, StorageError> {
    connection
        .prepare_cached(
            "INSERT INTO table_visits (id, table_id, opened_at, opened_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (table_id) WHERE closed_at IS NULL DO NOTHING",
        )?
        .execute(params![
            new_visit_id(),
            table_id,
            timestamp(now)?,
            opener.as_str()
        ])?;
    open_visit(connection, table_id)?.ok_or_else(|| {
        StorageError::corrupt(format!("table {table_id}'s visit vanished as it opened"))
    })
}

impl VisitStore for SqliteStore {
    async fn open_visit(&self, table_id: &str) -> Result<Option<TableVisit>, StorageError> {
        let table_id = table_id.to_owned();
        self.read(move |connection| open_visit(connection, &table_id))
            .await
    }

    async fn open_visit_at(
        &self,
        table_id: &str,
        opener: VisitOpener,
        now: OffsetDateTime,
    ) -> Result<TableVisit, StorageError> {
        let owned = table_id.to_owned();
        self.write(Box::new(move |connection| {
            open_visit_at(connection, &owned, opener, now).map(|_| 1)
        }))
        .await?;
        // Committed by the writer: any reader sees it now, unless staff
        // closed it in between, which is then the answer's to say.
        VisitStore::open_visit(self, table_id)
            .await?
            .ok_or_else(|| StorageError::NotFound(table_id.to_owned()))
    }

    async fn visit(&self, id: &str) -> Result<Option<TableVisit>, StorageError> {
        let id = id.to_owned();
        self.read(move |connection| {
            connection
                .prepare_cached(&format!(
                    "SELECT {VISIT_COLUMNS} FROM table_visits WHERE id = ?1"
                ))?
                .query_row([id], visit_row)
                .optional()?
                .map(visit_from)
                .transpose()
        })
        .await
    }

    async fn open_visits(&self) -> Result<Vec<OpenVisit>, StorageError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {VISIT_COLUMNS} FROM table_visits WHERE closed_at IS NULL
                 ORDER BY opened_at, table_id"
            ))?;
            let visits = statement
                .query_map([], visit_row)?
                .map(|row| visit_from(row?))
                .collect::<Result<Vec<_>, StorageError>>()?;
            let orders = orders_with_payments(
                connection,
                "JOIN table_visits ON table_visits.id = orders.visit_id
                 WHERE table_visits.closed_at IS NULL",
                [],
            )?;
            Ok(with_orders(visits, orders))
        })
        .await
    }

    async fn close_visit(
        &self,
        id: &str,
        closer: VisitCloser,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        let id = id.to_owned();
        let closed = self
            .write(Box::new(move |connection| {
                let at = timestamp(now)?;
                let closed = connection
                    .prepare_cached(
                        "UPDATE table_visits SET closed_at = ?2, closed_by = ?3
                         WHERE id = ?1 AND closed_at IS NULL",
                    )?
                    .execute(params![id, at, closer.as_str()])?;
                // The party left: its calls are answered.
                connection
                    .prepare_cached(
                        "UPDATE service_calls SET cleared_at = ?2
                         WHERE visit_id = ?1 AND cleared_at IS NULL",
                    )?
                    .execute(params![id, at])?;
                Ok(closed)
            }))
            .await?;
        Ok(closed > 0)
    }

    async fn move_visit(&self, id: &str, to_table: &str) -> Result<VisitMove, StorageError> {
        let (id, to_table) = (id.to_owned(), to_table.to_owned());
        let moved = self
            .write(Box::new({
                let (id, to_table) = (id.clone(), to_table.clone());
                move |connection| {
                    Ok(connection
                        .prepare_cached(
                            "UPDATE table_visits SET table_id = ?2
                             WHERE id = ?1 AND closed_at IS NULL
                               AND NOT EXISTS (SELECT 1 FROM table_visits
                                               WHERE table_id = ?2 AND closed_at IS NULL)",
                        )?
                        .execute([id, to_table])?)
                }
            }))
            .await?;
        if moved > 0 {
            return Ok(VisitMove::Moved);
        }
        Ok(match VisitStore::visit(self, &id).await? {
            Some(visit) if visit.is_open() && visit.table != to_table => VisitMove::TableTaken,
            Some(visit) if visit.is_open() => VisitMove::Moved,
            _ => VisitMove::NotOpen,
        })
    }

    async fn visit_orders(&self, id: &str) -> Result<Vec<OrderAndPayment>, StorageError> {
        let id = id.to_owned();
        self.read(move |connection| {
            let orders = orders_with_payments(connection, "WHERE orders.visit_id = ?1", [id])?;
            Ok(orders.into_iter().map(|(_, order)| order).collect())
        })
        .await
    }
}

/// Orders with their visit's id and payment's state, oldest first, chosen
/// by `filter` (a constant of this crate, never input).
pub(super) fn orders_with_payments(
    connection: &Connection,
    filter: &str,
    parameters: impl rusqlite::Params,
) -> Result<Vec<(Option<String>, OrderAndPayment)>, StorageError> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT orders.visit_id, orders.response_body, orders.status, orders.status_reason,
                payments.state
         FROM orders LEFT JOIN payments ON payments.order_id = orders.id
         {filter}
         ORDER BY orders.received_at, orders.number"
    ))?;
    let rows = statement.query_map(parameters, |row| {
        Ok((
            row.get::<_, Option<String>>(0)?,
            row.get::<_, Vec<u8>>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, Option<String>>(4)?,
        ))
    })?;
    rows.map(|row| {
        let (visit_id, body, status, reason, payment) = row?;
        let order = OrderAndPayment {
            order: order_from_stored(&body, &status, reason)?,
            payment: payment.as_deref().map(parse_payment_state).transpose()?,
        };
        Ok((visit_id, order))
    })
    .collect()
}
