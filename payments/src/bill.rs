//! A table's bill (买单) for one visit (开台 → 清台): its orders, and what is
//! still owed. Plain Rust, so the server that answers it and a page that
//! shows it read one rule.
//!
//! What the party owes is every order the kitchen took (received and on)
//! whose money has not been captured: a cancelled order is owed by nobody,
//! and an order still awaiting payment (pay first) is not served until it
//! is paid, so it is not on the bill either.

use serde::{Deserialize, Serialize};
use wendan_protocol::{OrderStatus, PlacedOrder, TableVisit};

use crate::state::PaymentState;

/// One order on the bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BillOrder {
    pub order_id: String,
    pub number: u32,
    pub status: OrderStatus,
    pub total_minor: i64,
    /// Where its payment stands; absent before its first payment step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentState>,
    /// Whether it is still to be paid ([`owes`]).
    pub owed: bool,
}

/// A visit's bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableBill {
    pub visit: TableVisit,
    /// Oldest first: the party's rounds in the order they were sent.
    pub orders: Vec<BillOrder>,
    pub currency: String,
    /// Everything served: the orders the kitchen took and did not cancel.
    pub total_minor: i64,
    /// Of that, what is still to be paid.
    pub owed_minor: i64,
}

/// Whether an order is still to be paid: the kitchen took it, did not
/// cancel it, and its money was not captured (paid online, or settled at
/// the counter).
pub fn owes(status: OrderStatus, payment: Option<PaymentState>) -> bool {
    served(status) && !payment.is_some_and(PaymentState::is_captured)
}

fn served(status: OrderStatus) -> bool {
    !matches!(
        status,
        OrderStatus::AwaitingPayment | OrderStatus::Cancelled
    )
}

impl TableBill {
    /// The bill of `visit` from its orders and their payments' states.
    /// `currency` is the menu's, for a visit with no orders yet.
    pub fn new(
        visit: TableVisit,
        orders: impl IntoIterator<Item = (PlacedOrder, Option<PaymentState>)>,
        currency: &str,
    ) -> Self {
        let orders: Vec<BillOrder> = orders
            .into_iter()
            .map(|(order, payment)| BillOrder {
                owed: owes(order.status, payment),
                order_id: order.id,
                number: order.number,
                status: order.status,
                total_minor: order.total_minor,
                payment,
            })
            .collect();
        let total_minor = orders
            .iter()
            .filter(|order| served(order.status))
            .map(|order| order.total_minor)
            .sum();
        let owed_minor = orders
            .iter()
            .filter(|order| order.owed)
            .map(|order| order.total_minor)
            .sum();
        TableBill {
            visit,
            orders,
            currency: currency.to_owned(),
            total_minor,
            owed_minor,
        }
    }

    /// The orders still to be paid.
    pub fn owed(&self) -> impl Iterator<Item = &BillOrder> {
        self.orders.iter().filter(|order| order.owed)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;
    use wendan_protocol::VisitOpener;

    use super::*;

    fn visit() -> TableVisit {
        TableVisit {
            id: "v1".into(),
            table: "A3".into(),
            opened_at: datetime!(2026-12-03 12:00 UTC),
            opened_by: VisitOpener::Scan,
            closed_at: None,
            closed_by: None,
        }
    }

    fn order(number: u32, status: OrderStatus, total_minor: i64) -> PlacedOrder {
        serde_json::from_value(json!({
            "id": format!("o{number}"), "number": number, "status": status,
            "mode": "dine_in", "table": "A3", "items": [], "total_minor": total_minor,
            "currency": "CNY", "received_at": "2026-12-03T12:00:00Z",
            "client_created_at": "2026-12-03T12:00:00Z"
        }))
        .expect("order")
    }

    #[test]
    fn the_party_owes_what_the_kitchen_took_and_nobody_paid() {
        let bill = TableBill::new(
            visit(),
            [
                (order(1, OrderStatus::Completed, 8800), None),
                (
                    order(2, OrderStatus::Preparing, 3600),
                    Some(PaymentState::Counter),
                ),
                (
                    order(3, OrderStatus::Received, 2000),
                    Some(PaymentState::Paid),
                ),
                (order(4, OrderStatus::Cancelled, 5000), None),
                (
                    order(5, OrderStatus::AwaitingPayment, 1200),
                    Some(PaymentState::Pending),
                ),
                (
                    order(6, OrderStatus::Ready, 900),
                    Some(PaymentState::Pending),
                ),
            ],
            "CNY",
        );
        assert_eq!(bill.total_minor, 8800 + 3600 + 2000 + 900);
        assert_eq!(bill.owed_minor, 8800 + 3600 + 900);
        let owed: Vec<u32> = bill.owed().map(|order| order.number).collect();
        assert_eq!(owed, [1, 2, 6]);
    }

    #[test]
    fn a_refund_in_flight_is_still_money_taken_and_a_refunded_order_was_cancelled() {
        assert!(!owes(
            OrderStatus::Received,
            Some(PaymentState::RefundPending)
        ));
        assert!(!owes(OrderStatus::Cancelled, Some(PaymentState::Refunded)));
        assert!(owes(OrderStatus::Received, Some(PaymentState::Failed)));
        assert!(owes(OrderStatus::Received, Some(PaymentState::Closed)));
    }

    #[test]
    fn an_empty_visit_owes_nothing_in_the_menus_currency() {
        let bill = TableBill::new(visit(), [], "CNY");
        assert_eq!((bill.total_minor, bill.owed_minor), (0, 0));
        assert_eq!(bill.currency, "CNY");
    }
}
