//! What the admin pages keep and read: tables, the per-minute intake counts,
//! and a trading day's order times for the dashboard. Both backends answer
//! in the same shapes; `day_records` joins their rows the same way.

use std::collections::HashMap;

use time::OffsetDateTime;
use wendan_protocol::OrderStatus;

use super::{NewOrder, StorageError, encode_order, order_number};
use crate::dashboard::{DayRecords, MinuteCount, OrderTimes};

/// An order of the past with the statuses it went through, for the demo's
/// seeded rush (imported as if it had been taken then).
#[derive(Debug, Clone)]
pub struct PastOrder {
    pub order: NewOrder,
    /// After `received`, in order.
    pub later: Vec<(OrderStatus, OffsetDateTime)>,
}

impl PastOrder {
    /// The order numbered `number`, the body of its first answer (as a
    /// replay would give it: `received`), and the status it has now.
    pub(crate) fn numbered(
        &self,
        number: i64,
    ) -> Result<(NewOrder, Vec<u8>, OrderStatus), StorageError> {
        let mut new = self.order.clone();
        new.order.number = order_number(number)?;
        new.order.status = OrderStatus::Received;
        let body = encode_order(&new.order)?;
        let now = self
            .later
            .last()
            .map_or(OrderStatus::Received, |(status, _)| *status);
        Ok((new, body, now))
    }
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
