//! What the admin pages keep and read: tables, the per-minute intake counts,
//! and a trading day's order times for the dashboard. Both backends answer
//! in the same shapes; `day_records` joins their rows the same way.

use std::collections::HashMap;

use time::OffsetDateTime;
use wendan_protocol::OrderStatus;

use super::{NewOrder, Storage, StorageError};
use crate::dashboard::{DayRecords, MinuteCount, OrderTimes};
use crate::tables::DiningTable;

/// An order of the past with the statuses it went through, for the demo's
/// seeded rush (imported as if it had been taken then).
#[derive(Debug, Clone)]
pub struct PastOrder {
    pub order: NewOrder,
    /// After `received`, in order.
    pub later: Vec<(OrderStatus, OffsetDateTime)>,
}

/// An order's id and times, as read from storage.
pub(crate) struct OrderRow {
    pub id: String,
    pub received_at: OffsetDateTime,
    pub placed_at: OffsetDateTime,
}

/// The orders with their first `ready` among `ready_events` (order id, at).
pub(crate) fn day_records(
    orders: Vec<OrderRow>,
    ready_events: Vec<(String, OffsetDateTime)>,
    counts: Vec<MinuteCount>,
) -> DayRecords {
    let mut first_ready: HashMap<String, OffsetDateTime> = HashMap::new();
    for (id, at) in ready_events {
        first_ready
            .entry(id)
            .and_modify(|first| *first = (*first).min(at))
            .or_insert(at);
    }
    DayRecords {
        orders: orders
            .into_iter()
            .map(|row| OrderTimes {
                received_at: row.received_at,
                placed_at: row.placed_at,
                ready_at: first_ready.get(&row.id).copied(),
            })
            .collect(),
        counts,
    }
}

impl Storage {
    /// Every table, in no particular order.
    pub async fn tables(&self) -> Result<Vec<DiningTable>, StorageError> {
        dispatch!(self.tables())
    }

    /// The table with `id`, read from the database on every call, so a
    /// table created on another replica takes orders at once.
    pub async fn table(&self, id: &str) -> Result<Option<DiningTable>, StorageError> {
        dispatch!(self.table(id))
    }

    /// Creates or replaces the table with `table.id`.
    pub async fn put_table(&self, table: DiningTable) -> Result<(), StorageError> {
        dispatch!(self.put_table(table))
    }

    /// Whether there was such a table.
    pub async fn delete_table(&self, id: &str) -> Result<bool, StorageError> {
        dispatch!(self.delete_table(id))
    }

    /// Adds `counts` to the stored per-minute counts.
    pub async fn add_counts(&self, counts: Vec<MinuteCount>) -> Result<(), StorageError> {
        dispatch!(self.add_counts(counts))
    }

    /// The orders of trading day `business_day`, and the counts of the
    /// minutes in `[from, to)`: the same day's span.
    pub async fn day_records(
        &self,
        business_day: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<DayRecords, StorageError> {
        dispatch!(self.day_records(business_day, from, to))
    }

    /// How many orders trading day `business_day` has.
    pub async fn day_order_count(&self, business_day: &str) -> Result<i64, StorageError> {
        dispatch!(self.day_order_count(business_day))
    }

    /// Stores orders of the past as they happened (for the demo's rush).
    pub async fn import_past(&self, orders: Vec<PastOrder>) -> Result<(), StorageError> {
        dispatch!(self.import_past(orders))
    }
}
