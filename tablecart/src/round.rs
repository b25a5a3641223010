//! Rounds: the cart as the server holds it when someone presses
//! "Send to kitchen" (送厨房), cut in one step and numbered.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use wendan_protocol::order::OrderLine;

use crate::ids::{Diner, PhoneId};
use crate::line::{Line, total_minor};
use crate::outcome::Field;

/// "Send round `round`", from a phone that had applied its own mutations up
/// to `after_seq` when the diner pressed. The round number is the
/// idempotency key: two phones pressing together, one pressing twice, or one
/// pressing offline an hour ago all name the same round, and it is cut once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendRequest {
    pub phone: PhoneId,
    /// The open round the phone saw.
    pub round: u32,
    /// The phone's last mutation before the press: the server cuts only
    /// once it has applied them, so what the diner saw is in the round.
    pub after_seq: u64,
    pub by: Diner,
}

/// A round cut from the cart: the server makes one order of its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    /// 1, 2, 3… per table visit.
    pub number: u32,
    pub lines: Vec<Line>,
    pub sent_by: Diner,
    pub sent_by_phone: PhoneId,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    /// The order the server made of it, attached in the commit that cut it
    /// ([`crate::TableCart::attach_order`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<RoundOrder>,
}

/// The kitchen's order for a round: every phone at the table follows it as
/// it follows its own orders, and says "sent by 小王, order 12".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundOrder {
    /// The order's id (`PlacedOrder::id`).
    pub id: String,
    /// Its number of the trading day, as the kitchen calls it.
    pub number: u32,
}

impl Round {
    /// The order's lines. The server prices them from its own menu.
    pub fn order_lines(&self) -> Vec<OrderLine> {
        self.lines.iter().map(Line::to_order_line).collect()
    }

    /// The total at the phones' prices (the server's quote is the bill).
    pub fn total_minor(&self) -> i64 {
        total_minor(&self.lines)
    }

    pub fn summary(&self) -> RoundSummary {
        RoundSummary {
            number: self.number,
            sent_by: self.sent_by.clone(),
            sent_at: self.sent_at,
            lines: self.lines.len(),
            order: self.order.clone(),
        }
    }
}

/// What every phone is told of a round: "sent by 小王, round 2".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundSummary {
    pub number: u32,
    pub sent_by: Diner,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    pub lines: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<RoundOrder>,
}

/// The answer to a [`SendRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundOutcome {
    /// This request cut the round: make its order.
    Sent(Round),
    /// The named round was cut before (by this request's twin or another
    /// phone): no new round; tell the diner who sent it.
    AlreadySent(Round),
    /// The cart is empty: nothing cut, the round stays open.
    Empty,
    /// The phone's mutations up to `after_seq` have not all arrived: push
    /// them, then ask again (nothing was cut).
    NotYet {
        applied_up_to: u64,
    },
    /// The phone names a round not yet open: a forged or corrupted request.
    UnknownRound {
        open: u32,
    },
    Invalid(Field),
}
