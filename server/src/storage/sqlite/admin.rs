//! The admin's tables, intake counts and dashboard reads on SQLite. Writes go
//! through the single writer thread like every other write.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;
use tokio::sync::oneshot;

use super::SqliteStore;
use super::rows::{insert_order, parse_timestamp, timestamp};
use super::writer::{Job, WriteWork};
use crate::dashboard::{CountKind, DayRecords, MinuteCount};
use crate::storage::admin::{OrderRow, PastOrder, day_records};
use crate::storage::{AdminStore, StorageError};
use crate::tables::DiningTable;

impl AdminStore for SqliteStore {
    async fn tables(&self) -> Result<Vec<DiningTable>, StorageError> {
        self.read(|connection| {
            let mut statement =
                connection.prepare_cached("SELECT id, label, seats, code FROM dining_tables")?;
            let rows = statement.query_map([], table_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn table(&self, id: &str) -> Result<Option<DiningTable>, StorageError> {
        let id = id.to_owned();
        self.read(move |connection| {
            Ok(connection
                .prepare_cached("SELECT id, label, seats, code FROM dining_tables WHERE id = ?1")?
                .query_row([id], table_row)
                .optional()?)
        })
        .await
    }

    async fn put_table(&self, table: DiningTable) -> Result<(), StorageError> {
        self.write(Box::new(move |connection| {
            Ok(connection
                .prepare_cached(
                    "INSERT INTO dining_tables (id, label, seats) VALUES (?1, ?2, ?3)
                     ON CONFLICT (id) DO UPDATE SET label = excluded.label, seats = excluded.seats",
                )?
                .execute(params![table.id, table.label, table.seats])?)
        }))
        .await
        .map(drop)
    }

    async fn new_table_code(&self, id: &str, code: &str) -> Result<bool, StorageError> {
        let (id, code) = (id.to_owned(), code.to_owned());
        let changed = self
            .write(Box::new(move |connection| {
                Ok(connection
                    .prepare_cached("UPDATE dining_tables SET code = ?2 WHERE id = ?1")?
                    .execute([id, code])?)
            }))
            .await?;
        Ok(changed > 0)
    }

    async fn delete_table(&self, id: &str) -> Result<bool, StorageError> {
        let id = id.to_owned();
        let deleted = self
            .write(Box::new(move |connection| {
                Ok(connection
                    .prepare_cached("DELETE FROM dining_tables WHERE id = ?1")?
                    .execute([id])?)
            }))
            .await?;
        Ok(deleted > 0)
    }

    async fn add_counts(&self, counts: Vec<MinuteCount>) -> Result<(), StorageError> {
        self.write(Box::new(move |connection| {
            let mut statement = connection.prepare_cached(
                "INSERT INTO intake_counts (minute, kind, count) VALUES (?1, ?2, ?3)
                 ON CONFLICT (minute, kind) DO UPDATE SET count = count + excluded.count",
            )?;
            for count in &counts {
                statement.execute(params![count.minute, count.kind.as_str(), count.count])?;
            }
            Ok(counts.len())
        }))
        .await
        .map(drop)
    }

    async fn day_records(
        &self,
        business_day: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<DayRecords, StorageError> {
        let day = business_day.to_owned();
        self.read(move |connection| read_day(connection, &day, from, to))
            .await
    }

    async fn day_order_count(&self, business_day: &str) -> Result<i64, StorageError> {
        let day = business_day.to_owned();
        self.read(move |connection| {
            Ok(connection
                .prepare_cached("SELECT COUNT(*) FROM orders WHERE business_day = ?1")?
                .query_row([day], |row| row.get(0))?)
        })
        .await
    }

    async fn import_past(&self, orders: Vec<PastOrder>) -> Result<(), StorageError> {
        self.write(Box::new(move |connection| {
            for past in &orders {
                import_one(connection, past)?;
            }
            Ok(orders.len())
        }))
        .await
        .map(drop)
    }
}

impl SqliteStore {
    /// Runs `work` in the writer's next group commit; how many rows it changed.
    pub(super) async fn write(&self, work: Box<WriteWork>) -> Result<usize, StorageError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Write { work, reply })?;
        answer.await.map_err(|_| StorageError::WriterGone)?
    }
}

fn table_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DiningTable> {
    Ok(DiningTable {
        id: row.get(0)?,
        label: row.get(1)?,
        seats: row.get(2)?,
        code: row.get(3)?,
    })
}

fn read_day(
    connection: &Connection,
    day: &str,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<DayRecords, StorageError> {
    let mut statement = connection
        .prepare_cached("SELECT id, received_at, placed_at FROM orders WHERE business_day = ?1")?;
    let orders = statement
        .query_map([day], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?
        .map(|row| {
            let (id, received, placed) = row?;
            Ok(OrderRow {
                id,
                received_at: parse_timestamp(&received)?,
                placed_at: parse_timestamp(&placed)?,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    let mut statement = connection.prepare_cached(
        "SELECT e.order_id, e.at FROM order_events e JOIN orders o ON o.id = e.order_id
         WHERE o.business_day = ?1 AND e.status = 'ready'",
    )?;
    let ready = statement
        .query_map([day], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?
        .map(|row| {
            let (id, at) = row?;
            Ok((id, parse_timestamp(&at)?))
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    let mut statement = connection.prepare_cached(
        "SELECT minute, kind, count FROM intake_counts WHERE minute >= ?1 AND minute < ?2",
    )?;
    let counts = statement
        .query_map(params![from.unix_timestamp(), to.unix_timestamp()], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?
        .map(|row| {
            let (minute, kind, count) = row?;
            let kind = CountKind::parse(&kind)
                .ok_or_else(|| StorageError::corrupt(format!("unknown count kind `{kind}`")))?;
            Ok(MinuteCount {
                minute,
                kind,
                count,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    Ok(day_records(orders, ready, counts))
}

fn import_one(connection: &Connection, past: &PastOrder) -> Result<(), StorageError> {
    let number: i64 = connection
        .prepare_cached("SELECT COALESCE(MAX(number), 0) + 1 FROM orders WHERE business_day = ?1")?
        .query_row([&past.order.business_day], |row| row.get(0))?;
    let (new, body, now) = past.numbered(number)?;
    insert_order(connection, &new, number, now, &body)?;
    let mut event = connection
        .prepare_cached("INSERT INTO order_events (order_id, status, at) VALUES (?1, ?2, ?3)")?;
    for (status, at) in &past.later {
        event.execute(params![new.order.id, status.as_str(), timestamp(*at)?])?;
    }
    Ok(())
}
