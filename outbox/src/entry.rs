//! One order in the outbox, and how its delivery moves on.
//!
//! ```text
//!  place ──► Saved ──start──► Sending ──Delivered──► Received (then the kitchen's statuses)
//!              ▲                 │
//!              └── retry later ◄─┤ InProgress / Throttled / Unknown
//!                                ├── Refused ──► Rejected | PriceChanged | Expired
//!  Saved ──(too old on the device clock)──► Expired
//! ```
//!
//! The key and the body never change after placing: a retry is the same
//! request, except `client.sent_at`, which says when this attempt left.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use wendan_protocol::{
    IdempotencyKey, OrderRequest, OrderStatus, PlacedOrder, Problem, ProblemType, StatusUpdate,
};

use crate::{Backoff, Outcome, Random};

/// A send with no answer for this long was cut off (a closed tab, a killed
/// worker): it is retried, with the same key.
pub const SEND_TIMEOUT: Duration = Duration::seconds(30);

/// How soon to come back after `409 idempotency-key-in-use`.
const IN_PROGRESS_RETRY: Duration = Duration::seconds(1);

/// When a send that left at `since` counts as cut off. Saturating: `since`
/// comes back from storage and may be any date `time` can read (year 9999),
/// where plain `+` would panic and take the whole outbox down with it.
fn send_deadline(since: OffsetDateTime) -> OffsetDateTime {
    since.saturating_add(SEND_TIMEOUT)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub key: IdempotencyKey,
    pub request: OrderRequest,
    /// From the menu at placing time: older than this, it is never sent.
    pub max_age_secs: u32,
    /// Consecutive attempts that did not settle the order.
    pub failures: u32,
    pub state: DeliveryState,
}

/// Written internally tagged (`{"state": "saved", …}`); read back through
/// [`crate::stored_state`], which takes the same JSON without buffering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "state",
    rename_all = "snake_case",
    try_from = "crate::stored_state::StoredState"
)]
pub enum DeliveryState {
    /// On the phone, waiting for its next attempt.
    Saved {
        #[serde(with = "time::serde::rfc3339")]
        next_attempt_at: OffsetDateTime,
        last_error: Option<String>,
        /// The server itself said when to come back (503/429/409): no
        /// connectivity signal shortens that wait.
        #[serde(default)]
        server_said_wait: bool,
    },
    /// An attempt left at `since` and has no answer yet.
    Sending {
        #[serde(with = "time::serde::rfc3339")]
        since: OffsetDateTime,
    },
    /// The restaurant has it; `order.status` follows the kitchen.
    Received { order: PlacedOrder },
    /// Refused for good; the problem says why, for the diner.
    Rejected { problem: Problem },
    /// The prices changed: the diner confirms the new total (a new order).
    PriceChanged { problem: Problem },
    /// Too old to send; "Order again" makes a new order.
    Expired,
}

impl OutboxEntry {
    /// A freshly placed order, due at once.
    pub fn new(key: IdempotencyKey, request: OrderRequest, max_age_secs: u32) -> Self {
        let created_at = request.client.created_at;
        Self {
            key,
            request,
            max_age_secs,
            failures: 0,
            state: DeliveryState::Saved {
                next_attempt_at: created_at,
                last_error: None,
                server_said_wait: false,
            },
        }
    }

    /// A short reference the diner can read out: the key's first 6 characters.
    pub fn local_ref(&self) -> String {
        self.key
            .as_str()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(6)
            .collect::<String>()
            .to_ascii_uppercase()
    }

    /// Whether an attempt should start now.
    pub fn is_due(&self, now: OffsetDateTime) -> bool {
        match self.state {
            DeliveryState::Saved {
                next_attempt_at, ..
            } => next_attempt_at <= now,
            DeliveryState::Sending { since } => send_deadline(since) <= now,
            _ => false,
        }
    }

    /// When this entry next wants attention, if ever.
    pub fn wakes_at(&self) -> Option<OffsetDateTime> {
        match self.state {
            DeliveryState::Saved {
                next_attempt_at, ..
            } => Some(next_attempt_at),
            DeliveryState::Sending { since } => Some(send_deadline(since)),
            _ => None,
        }
    }

    /// Still the phone's to deliver (saved or being sent).
    pub fn is_pending(&self) -> bool {
        matches!(
            self.state,
            DeliveryState::Saved { .. } | DeliveryState::Sending { .. }
        )
    }

    /// Starts an attempt: the body to send, or `None` when the order has
    /// become too old on the device clock and is now `Expired`.
    pub fn start_attempt(&mut self, now: OffsetDateTime) -> Option<OrderRequest> {
        let age = now - self.request.client.created_at;
        if age > Duration::seconds(i64::from(self.max_age_secs)) {
            self.state = DeliveryState::Expired;
            return None;
        }
        self.state = DeliveryState::Sending { since: now };
        let mut body = self.request.clone();
        body.client.sent_at = now;
        Some(body)
    }

    /// After a crash or a closed tab, a send that had no answer is retried.
    pub fn recover_interrupted(&mut self, now: OffsetDateTime) {
        if let DeliveryState::Sending { .. } = self.state {
            self.state = DeliveryState::Saved {
                next_attempt_at: now,
                last_error: Some("the last send was interrupted".into()),
                server_said_wait: false,
            };
        }
    }

    /// Records what the attempt's answer means.
    pub fn finish_attempt(
        &mut self,
        outcome: Outcome,
        now: OffsetDateTime,
        backoff: &Backoff,
        random: &mut dyn Random,
    ) {
        let retry_in = match outcome {
            Outcome::Delivered(order) => {
                self.failures = 0;
                self.state = DeliveryState::Received { order };
                return;
            }
            Outcome::Refused(problem) => {
                self.state = match problem.kind() {
                    Some(ProblemType::MenuChanged) => DeliveryState::PriceChanged { problem },
                    Some(ProblemType::OrderExpired) => DeliveryState::Expired,
                    _ => DeliveryState::Rejected { problem },
                };
                return;
            }
            Outcome::InProgress => (IN_PROGRESS_RETRY * (1.0 + random.unit()), "in progress"),
            Outcome::Throttled { retry_after } => {
                self.failures += 1;
                let wait = match retry_after {
                    Some(after) => backoff.after_retry_after(after, self.failures, random),
                    None => backoff.full_jitter(self.failures, random),
                };
                (wait, "the restaurant is busy")
            }
            Outcome::Unknown(why) => {
                self.failures += 1;
                let wait = backoff.full_jitter(self.failures, random);
                self.state = DeliveryState::Saved {
                    next_attempt_at: now.saturating_add(wait),
                    last_error: Some(why),
                    server_said_wait: false,
                };
                return;
            }
        };
        let (wait, why) = retry_in;
        // Saturating: a `Retry-After` HTTP-date may be as late as year 9999.
        self.state = DeliveryState::Saved {
            next_attempt_at: now.saturating_add(wait),
            last_error: Some(why.into()),
            server_said_wait: true,
        };
    }

    /// The network is back (`online`, a Background Sync event): an order
    /// that was only waiting out a network failure is due now. A wait the
    /// server asked for (`Retry-After`) is kept.
    pub fn network_is_back(&mut self, now: OffsetDateTime) {
        if let DeliveryState::Saved {
            next_attempt_at,
            server_said_wait: false,
            ..
        } = &mut self.state
        {
            *next_attempt_at = (*next_attempt_at).min(now);
        }
    }

    /// Follows the kitchen: a status update for this order, from SSE or a fetch.
    pub fn apply_status(&mut self, update: &StatusUpdate) {
        if let DeliveryState::Received { order } = &mut self.state
            && order.id == update.order_id
        {
            order.status = update.status;
            order.status_reason = update.reason.clone();
        }
    }

    /// Where the order is, as the diner is told.
    pub fn stage(&self) -> Stage {
        match &self.state {
            DeliveryState::Saved { .. } => Stage::Saved,
            DeliveryState::Sending { .. } => Stage::Sending,
            DeliveryState::Received { order } => Stage::AtRestaurant(order.status),
            DeliveryState::Rejected { .. } => Stage::Rejected,
            DeliveryState::PriceChanged { .. } => Stage::PriceChanged,
            DeliveryState::Expired => Stage::Expired,
        }
    }

    /// The stable name of [`OutboxEntry::stage`] (`data-state`, host events).
    pub fn state_name(&self) -> &'static str {
        self.stage().name()
    }
}

/// Where an order is, as the diner is told: the phone's own stages and,
/// once the restaurant has it, the kitchen's status. Words, `data-state`,
/// notices and host events all follow this one enum, matched exhaustively,
/// so a new stage or order status cannot go without a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// On the phone, waiting for its next attempt.
    Saved,
    /// An attempt is on its way.
    Sending,
    /// The restaurant has it, in this status.
    AtRestaurant(OrderStatus),
    Rejected,
    PriceChanged,
    Expired,
}

impl Stage {
    /// Every stage, for code and tests that must cover each one.
    pub fn all() -> impl Iterator<Item = Stage> {
        [Stage::Saved, Stage::Sending]
            .into_iter()
            .chain(OrderStatus::ALL.into_iter().map(Stage::AtRestaurant))
            .chain([Stage::Rejected, Stage::PriceChanged, Stage::Expired])
    }

    /// The stable name, for tests and the host page: saved, sending, the
    /// order status's own name, rejected, price_changed, expired.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Saved => "saved",
            Stage::Sending => "sending",
            Stage::AtRestaurant(status) => status.as_str(),
            Stage::Rejected => "rejected",
            Stage::PriceChanged => "price_changed",
            Stage::Expired => "expired",
        }
    }
}
