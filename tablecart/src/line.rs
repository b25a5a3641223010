//! A line of the shared cart: one dish with its options, note and quantity.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use wendan_protocol::order::OrderLine;

use crate::ids::{Diner, LineId, PhoneId};

/// What a phone adds. The price is the phone's, from the menu version it
/// showed; it is what the cart's total shows the table. The server re-prices
/// every line from its own menu when it makes the round's order (and refuses
/// a changed price as it does for any order), so nothing here is trusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLine {
    pub id: LineId,
    /// The menu item's id (`Item::id`).
    pub item_id: String,
    /// Option ids, unique within the item (`ItemOption::id`).
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub qty: u32,
    /// One portion with its options, in minor units, as the phone priced it.
    pub unit_price_minor: i64,
    pub menu_version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub id: LineId,
    pub item_id: String,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub qty: u32,
    pub unit_price_minor: i64,
    pub menu_version: String,
    /// Shown beside the line, so the table knows whose it is.
    pub added_by: Diner,
    /// Only this phone changes the options and note until it confirms.
    pub added_by_phone: PhoneId,
    /// Its adder is done choosing: anyone may now change options and note.
    #[serde(default)]
    pub confirmed: bool,
    /// Last added or changed: a line untouched for the table's time to live
    /// expires. The server's clock on the server; the phone's in its preview.
    #[serde(with = "time::serde::rfc3339")]
    pub touched_at: OffsetDateTime,
}

impl Line {
    /// The line's part of the total: quantity times the phone's unit price.
    pub fn total_minor(&self) -> i64 {
        self.unit_price_minor.saturating_mul(i64::from(self.qty))
    }

    /// The line as an order's line, for the order the server makes from a
    /// round (and prices from its own menu).
    pub fn to_order_line(&self) -> OrderLine {
        OrderLine {
            item_id: self.item_id.clone(),
            qty: i64::from(self.qty),
            options: self.options.clone(),
            note: self.note.clone(),
        }
    }
}

/// The total the table is shown: the phones' prices, not the bill's.
pub fn total_minor(lines: &[Line]) -> i64 {
    lines
        .iter()
        .fold(0i64, |total, line| total.saturating_add(line.total_minor()))
}
