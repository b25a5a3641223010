//! What the restaurant answers once an order is durable: `201 Created`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Localized;
use crate::order::OrderMode;

/// Where an order is. `AwaitingPayment` is before the kitchen (pay-first:
/// only the payment moves it on, to `Received`, or an expiry to
/// `Cancelled`); `Cancelled` is reachable from any open state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    AwaitingPayment,
    Received,
    Preparing,
    Ready,
    Completed,
    Cancelled,
}

impl OrderStatus {
    /// Every status, in the order an order moves through them. Code that
    /// must cover each one (words, colours, the kitchen's buttons) iterates
    /// this or matches exhaustively, so a new status cannot be forgotten.
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::AwaitingPayment,
        OrderStatus::Received,
        OrderStatus::Preparing,
        OrderStatus::Ready,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
    ];

    /// Whether the kitchen may move an order from `self` to `next`.
    /// `Ready → Preparing` is the kitchen's "recall" of a bump.
    pub fn can_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (Received, Preparing)
                | (Received | Preparing, Ready)
                | (Ready, Preparing)
                | (Ready, Completed)
                | (Received | Preparing | Ready, Cancelled)
        )
    }

    /// On the kitchen's board: the kitchen has it and has not finished it.
    /// An order awaiting payment is not: the kitchen does not see it yet.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OrderStatus::Received | OrderStatus::Preparing | OrderStatus::Ready
        )
    }

    /// Nothing will happen to it any more: a diner's phone stops following it.
    pub fn is_final(self) -> bool {
        matches!(self, OrderStatus::Completed | OrderStatus::Cancelled)
    }

    /// The moves only a payment makes, never the kitchen: paid → to the
    /// kitchen; not paid in time → cancelled.
    pub fn payment_may_make(self, next: OrderStatus) -> bool {
        matches!(
            (self, next),
            (
                OrderStatus::AwaitingPayment,
                OrderStatus::Received | OrderStatus::Cancelled
            )
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::Received => "received",
            OrderStatus::Preparing => "preparing",
            OrderStatus::Ready => "ready",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacedOrder {
    /// Unguessable: knowing it is what lets a diner follow the order.
    pub id: String,
    /// Short and per day, for calling out at the pass.
    pub number: u32,
    pub status: OrderStatus,
    pub mode: OrderMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_name: Option<String>,
    pub items: Vec<PricedLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub total_minor: i64,
    pub currency: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// Echo of `client.created_at`: when the diner pressed "Place order".
    #[serde(with = "time::serde::rfc3339")]
    pub client_created_at: OffsetDateTime,
    /// Why the kitchen cancelled it, in the kitchen's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// The table visit (开台 → 清台) a dine-in order at a table joined: its
    /// party's rounds and bill. Set by the store as it stores the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_id: Option<String>,
}

/// One status change, as sent over Server-Sent Events (`event: status`,
/// `id:` its sequence number, resumable with `Last-Event-ID`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusUpdate {
    pub order_id: String,
    pub status: OrderStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The kitchen's request to move an order on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    pub status: OrderStatus,
    /// Required when cancelling: the diner is told why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An order line as the server priced it, with names frozen at order time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PricedLine {
    pub item_id: String,
    pub name: Localized,
    pub qty: i64,
    pub options: Vec<PricedOption>,
    /// Item price plus option deltas, for one unit.
    pub unit_price_minor: i64,
    pub line_total_minor: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PricedOption {
    pub id: String,
    pub name: Localized,
    pub price_delta_minor: i64,
}

#[cfg(test)]
mod tests {
    use super::OrderStatus;
    use super::OrderStatus::*;

    #[test]
    fn the_kitchen_moves_orders_forward_and_may_recall_a_bump() {
        assert!(Received.can_become(Preparing));
        assert!(Preparing.can_become(Ready));
        assert!(Ready.can_become(Preparing));
        assert!(Ready.can_become(Completed));
        assert!(!Received.can_become(Completed));
        assert!(!Completed.can_become(Preparing));
    }

    #[test]
    fn only_open_orders_can_be_cancelled() {
        for open in [Received, Preparing, Ready] {
            assert!(open.can_become(Cancelled));
            assert!(open.is_open());
        }
        assert!(!Completed.can_become(Cancelled));
        assert!(!Cancelled.is_open());
    }

    #[test]
    fn an_order_awaiting_payment_is_moved_by_its_payment_only() {
        for next in OrderStatus::ALL {
            assert!(!AwaitingPayment.can_become(next), "the kitchen: {next:?}");
        }
        assert!(AwaitingPayment.payment_may_make(Received));
        assert!(AwaitingPayment.payment_may_make(Cancelled));
        assert!(!Received.payment_may_make(Cancelled));
        assert!(!AwaitingPayment.is_open(), "not on the kitchen's board");
        assert!(!AwaitingPayment.is_final(), "the phone keeps following it");
        let wire = serde_json::to_string(&AwaitingPayment).expect("json");
        assert_eq!(wire, format!("\"{}\"", AwaitingPayment.as_str()));
    }
}
