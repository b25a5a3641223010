//! The payment states: the one list that the server, the SQL, the widget and
//! the kitchen page all follow.
//!
//! ```text
//!          begin               captured (notification / query)
//! Unpaid ────────► Pending ──────────────────────────────► Paid ──refund──► RefundPending ──► Refunded
//!   │                │  │ failed                            ▲ ▲                │ refund failed
//!   │                │  └───────► Failed ──close (关单)──┐   │ └────────────────┘
//!   │                │ closed / expired                 ▼   │ captured after all (a close raced it)
//!   │                └────────────────────────────► Closed ─┘
//!   │                                                 │ begin: the next attempt, a new number
//!   │                                                 └──────► Pending
//!   └─ choose counter ─► Counter ── staff settles ──► Paid (via the counter)
//! ```
//!
//! `Failed` is not the end: the provider payment may still be open, so a new
//! attempt waits until it is closed (关单). `Pending` is never replaced by a
//! second payment: "Pay" again resumes the same one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a payment stands. Stored as [`PaymentState::as_str`] (SQL `TEXT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// The order exists; no provider payment has been started for it.
    Unpaid,
    /// A provider payment exists and its outcome is unknown: the diner is
    /// paying, or we are checking.
    Pending,
    /// Money was captured (the provider's transaction reference is kept), or
    /// staff settled it at the counter.
    Paid,
    /// The provider said the attempt failed; it must be closed before another.
    Failed,
    /// The provider payment was closed (关单, expired, cancelled): it can never
    /// complete, so a new attempt for the same order is safe.
    Closed,
    /// A refund with its own number was asked for; the provider has not
    /// confirmed it yet.
    RefundPending,
    /// The money went back.
    Refunded,
    /// The diner pays at the counter; staff settle it.
    Counter,
}

impl PaymentState {
    pub const ALL: [PaymentState; 8] = [
        PaymentState::Unpaid,
        PaymentState::Pending,
        PaymentState::Paid,
        PaymentState::Failed,
        PaymentState::Closed,
        PaymentState::RefundPending,
        PaymentState::Refunded,
        PaymentState::Counter,
    ];

    /// The stored word. For six states it is also the automation contract's
    /// `data-payment` word; see [`PaymentState::contract_word`] for all eight.
    pub const fn as_str(self) -> &'static str {
        match self {
            PaymentState::Unpaid => "unpaid",
            PaymentState::Pending => "pending",
            PaymentState::Paid => "paid",
            PaymentState::Failed => "failed",
            PaymentState::Closed => "closed",
            PaymentState::RefundPending => "refund_pending",
            PaymentState::Refunded => "refunded",
            PaymentState::Counter => "counter",
        }
    }

    /// The `data-payment` attribute (automation contract: `unpaid`, `pending`,
    /// `paid`, `failed`, `refunded`, `counter`). A closed attempt reads
    /// `failed` because the diner's next step is the same ("try again"); a
    /// refund not yet confirmed reads `paid`, since the money is still with
    /// the restaurant until the provider says otherwise.
    pub const fn contract_word(self) -> &'static str {
        match self {
            PaymentState::Closed => PaymentState::Failed.as_str(),
            PaymentState::RefundPending => PaymentState::Paid.as_str(),
            other => other.as_str(),
        }
    }

    /// Money was captured and has not gone back (the kitchen may cook).
    pub const fn is_captured(self) -> bool {
        matches!(self, PaymentState::Paid | PaymentState::RefundPending)
    }

    /// Staff may take the money at the counter: nothing is in flight online
    /// (taking cash while the diner pays online could charge twice).
    pub const fn can_settle_at_counter(self) -> bool {
        matches!(
            self,
            PaymentState::Unpaid | PaymentState::Closed | PaymentState::Counter
        )
    }

    /// Nothing the provider can say will move it on by itself: only a staff
    /// action or a refund can. `Failed` and `Pending` are not settled.
    pub const fn is_settled(self) -> bool {
        matches!(
            self,
            PaymentState::Paid | PaymentState::Closed | PaymentState::Refunded
        )
    }
}

impl fmt::Display for PaymentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored word that names no payment state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown payment state {0:?}")]
pub struct UnknownPaymentState(pub String);

impl FromStr for PaymentState {
    type Err = UnknownPaymentState;

    fn from_str(word: &str) -> Result<Self, Self::Err> {
        PaymentState::ALL
            .into_iter()
            .find(|state| state.as_str() == word)
            .ok_or_else(|| UnknownPaymentState(word.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::PaymentState;

    #[test]
    fn every_state_reads_back_from_its_stored_word() {
        for state in PaymentState::ALL {
            assert_eq!(state.as_str().parse::<PaymentState>(), Ok(state));
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
        assert!("PAID".parse::<PaymentState>().is_err());
    }

    #[test]
    fn the_contract_has_exactly_its_six_words() {
        let mut words: Vec<_> = PaymentState::ALL
            .iter()
            .map(|s| s.contract_word())
            .collect();
        words.sort();
        words.dedup();
        assert_eq!(
            words,
            ["counter", "failed", "paid", "pending", "refunded", "unpaid"]
        );
    }
}
