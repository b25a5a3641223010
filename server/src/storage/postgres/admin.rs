//! The admin's tables, intake counts and dashboard reads on PostgreSQL.
//! Counts are added with an upsert, so replicas sum rather than overwrite.

use time::OffsetDateTime;
use wendan_protocol::OrderStatus;

use super::{PostgresStore, insert_order, next_number};
use crate::dashboard::{CountKind, DayRecords, MinuteCount};
use crate::storage::admin::{OrderRow, PastOrder, day_records};
use crate::storage::{AdminStore, StorageError};
use crate::tables::DiningTable;

impl AdminStore for PostgresStore {
    async fn tables(&self) -> Result<Vec<DiningTable>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client
            .query("SELECT id, label, seats, code FROM dining_tables", &[])
            .await?;
        Ok(rows.iter().map(table_row).collect())
    }

    async fn table(&self, id: &str) -> Result<Option<DiningTable>, StorageError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT id, label, seats, code FROM dining_tables WHERE id = $1",
                &[&id],
            )
            .await?;
        Ok(row.as_ref().map(table_row))
    }

    async fn put_table(&self, table: DiningTable) -> Result<(), StorageError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO dining_tables (id, label, seats) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET label = excluded.label, seats = excluded.seats",
                &[&table.id, &table.label, &table.seats.map(i32::from)],
            )
            .await?;
        Ok(())
    }

    async fn new_table_code(&self, id: &str, code: &str) -> Result<bool, StorageError> {
        let client = self.pool.get().await?;
        let changed = client
            .execute(
                "UPDATE dining_tables SET code = $2 WHERE id = $1",
                &[&id, &code],
            )
            .await?;
        Ok(changed > 0)
    }

    async fn delete_table(&self, id: &str) -> Result<bool, StorageError> {
        let client = self.pool.get().await?;
        let deleted = client
            .execute("DELETE FROM dining_tables WHERE id = $1", &[&id])
            .await?;
        Ok(deleted > 0)
    }

    async fn add_counts(&self, counts: Vec<MinuteCount>) -> Result<(), StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let statement = transaction
            .prepare(
                "INSERT INTO intake_counts (minute, kind, count) VALUES ($1, $2, $3)
                 ON CONFLICT (minute, kind)
                 DO UPDATE SET count = intake_counts.count + excluded.count",
            )
            .await?;
        for count in &counts {
            transaction
                .execute(
                    &statement,
                    &[&count.minute, &count.kind.as_str(), &count.count],
                )
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn day_records(
        &self,
        business_day: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<DayRecords, StorageError> {
        let client = self.pool.get().await?;
        let orders = client
            .query(
                "SELECT id, received_at, placed_at FROM orders WHERE business_day = $1",
                &[&business_day],
            )
            .await?
            .iter()
            .map(|row| OrderRow {
                id: row.get(0),
                received_at: row.get(1),
                placed_at: row.get(2),
            })
            .collect();
        let ready = client
            .query(
                "SELECT e.order_id, e.at FROM order_events e JOIN orders o ON o.id = e.order_id
                 WHERE o.business_day = $1 AND e.status = 'ready'",
                &[&business_day],
            )
            .await?
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect();
        let counts = client
            .query(
                "SELECT minute, kind, count FROM intake_counts WHERE minute >= $1 AND minute < $2",
                &[&from.unix_timestamp(), &to.unix_timestamp()],
            )
            .await?
            .iter()
            .map(|row| {
                let kind: String = row.get(1);
                Ok(MinuteCount {
                    minute: row.get(0),
                    kind: CountKind::parse(&kind).ok_or_else(|| {
                        StorageError::corrupt(format!("unknown count kind `{kind}`"))
                    })?,
                    count: row.get(2),
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        Ok(day_records(orders, ready, counts))
    }

    async fn day_order_count(&self, business_day: &str) -> Result<i64, StorageError> {
        let client = self.pool.get().await?;
        Ok(client
            .query_one(
                "SELECT COUNT(*) FROM orders WHERE business_day = $1",
                &[&business_day],
            )
            .await?
            .get(0))
    }

    async fn import_past(&self, orders: Vec<PastOrder>) -> Result<(), StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        for past in orders {
            let number = next_number(&transaction, &past.order.business_day).await?;
            let (new, body, now) = past.numbered(i64::from(number))?;
            insert_order(&transaction, &new, number, now, &body).await?;
            let events = std::iter::once((OrderStatus::Received, new.order.received_at))
                .chain(past.later.iter().copied());
            for (status, at) in events {
                transaction
                    .execute(
                        "INSERT INTO order_events (order_id, status, at) VALUES ($1, $2, $3)",
                        &[&new.order.id, &status.as_str(), &at],
                    )
                    .await?;
            }
        }
        transaction.commit().await?;
        Ok(())
    }
}

fn table_row(row: &tokio_postgres::Row) -> DiningTable {
    DiningTable {
        id: row.get(0),
        label: row.get(1),
        seats: row
            .get::<_, Option<i32>>(2)
            .and_then(|seats| u16::try_from(seats).ok()),
        code: row.get(3),
    }
}
