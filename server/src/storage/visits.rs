//! Table visits as stored (see `wendan_protocol::TableVisit`): what both
//! backends answer beyond the visit itself.

use std::collections::HashMap;
use wendan_payments::PaymentState;

use wendan_protocol::order::OrderMode;
use wendan_protocol::{PlacedOrder, TableVisit};

use super::StorageError;

/// What moving a visit to another table (换桌) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitMove {
    Moved,
    /// The visit is closed, or there is no such visit.
    NotOpen,
    /// The other table has its own open visit: two parties are not merged
    /// by a move.
    TableTaken,
}

/// An order with where its payment stands: a visit's bill, the counter's
/// strip of orders awaiting payment.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderAndPayment {
    pub order: PlacedOrder,
    /// `None` before the order's first payment step (pay later).
    pub payment: Option<PaymentState>,
}

/// The table whose open visit an order joins as it is stored: a dine-in
/// order at a table. Pickup orders belong to no visit.
pub fn visit_table(order: &PlacedOrder) -> Option<&str> {
    match (order.mode, order.table.as_deref()) {
        (OrderMode::DineIn, Some(table)) if !table.is_empty() => Some(table),
        _ => None,
    }
}

/// A new visit's (or call's) id: random, like an order's.
pub fn new_visit_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// An open visit with its orders, for the kitchen display's tables.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenVisit {
    pub visit: TableVisit,
    pub orders: Vec<OrderAndPayment>,
}

/// Puts each order (with its visit's id) under its visit, keeping both
/// orders: the visits' and, within each, the orders'. Both backends read
/// the open visits and their orders in two queries and join them here.
pub fn with_orders(
    visits: Vec<TableVisit>,
    orders: Vec<(Option<String>, OrderAndPayment)>,
) -> Vec<OpenVisit> {
    let mut by_visit: HashMap<String, Vec<OrderAndPayment>> = HashMap::new();
    for (visit_id, order) in orders {
        if let Some(visit_id) = visit_id {
            by_visit.entry(visit_id).or_default().push(order);
        }
    }
    visits
        .into_iter()
        .map(|visit| OpenVisit {
            orders: by_visit.remove(&visit.id).unwrap_or_default(),
            visit,
        })
        .collect()
}

/// A diner's call as the server records it (`CallStore::call_staff`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewCall {
    pub id: String,
    pub visit_id: String,
    pub reason: wendan_protocol::CallReason,
    pub order_id: Option<String>,
    pub device_id: String,
    pub key: String,
    pub at: time::OffsetDateTime,
}

/// The columns a `ServiceCall` is read from, joined with its visit (the
/// table now) and its order (the number), by both backends.
pub const CALL_SELECT: &str = "SELECT c.id, v.table_id, c.visit_id, c.reason, o.number, c.order_id,
            c.called_at, c.cleared_at
     FROM service_calls c
     JOIN table_visits v ON v.id = c.visit_id
     LEFT JOIN orders o ON o.id = c.order_id";

/// A stored reason's word, read back.
pub fn call_reason(word: &str) -> Result<wendan_protocol::CallReason, StorageError> {
    wendan_protocol::CallReason::parse(word)
        .ok_or_else(|| StorageError::corrupt(format!("call reason `{word}`")))
}

/// A stored visit's opener and closer words, read back.
pub fn visit_words(
    id: &str,
    opened_by: &str,
    closed_by: Option<&str>,
) -> Result<
    (
        wendan_protocol::VisitOpener,
        Option<wendan_protocol::VisitCloser>,
    ),
    StorageError,
> {
    let opener = wendan_protocol::VisitOpener::parse(opened_by)
        .ok_or_else(|| StorageError::corrupt(format!("visit {id} opened by `{opened_by}`")))?;
    let closer = closed_by
        .map(|word| {
            wendan_protocol::VisitCloser::parse(word)
                .ok_or_else(|| StorageError::corrupt(format!("visit {id} closed by `{word}`")))
        })
        .transpose()?;
    Ok((opener, closer))
}
