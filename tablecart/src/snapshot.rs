//! The cart as the server broadcasts it after every change.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{Diner, LineId, PhoneId};
use crate::line::{Line, total_minor};
use crate::outcome::Outcome;
use crate::round::RoundSummary;

/// Everything a phone needs to show the table's cart and settle its queue:
/// the lines, the open round, and per phone how far the server got.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CartSnapshot {
    /// Grows with every change: a phone ignores a snapshot older than its own.
    pub version: u64,
    /// The open round: the next "Send to kitchen" cuts this number.
    pub round: u32,
    /// In the order they were added.
    pub lines: Vec<Line>,
    /// Per phone, the last mutation applied and its recent answers. Sent to
    /// every phone: the table shares one cart, and it is a few hundred bytes.
    pub acks: BTreeMap<PhoneId, PhoneLog>,
    pub last_round: Option<RoundSummary>,
    /// The most recently expired lines, newest last, so phones can say so.
    pub expired: Vec<ExpiredLine>,
}

impl CartSnapshot {
    /// An empty cart with round 1 open.
    pub fn new() -> Self {
        Self {
            round: 1,
            ..Self::default()
        }
    }

    /// How far the server has applied `phone`'s mutations (0: none yet).
    pub fn applied_up_to(&self, phone: &PhoneId) -> u64 {
        self.acks.get(phone).map_or(0, |log| log.last_seq)
    }

    /// The total at the phones' prices.
    pub fn total_minor(&self) -> i64 {
        total_minor(&self.lines)
    }
}

/// One phone's progress at the table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PhoneLog {
    /// Every mutation up to this one has been applied (or refused) once.
    pub last_seq: u64,
    /// The answers to its last [`crate::KEPT_OUTCOMES`] mutations.
    pub recent: VecDeque<(u64, Outcome)>,
}

impl PhoneLog {
    pub fn outcome(&self, seq: u64) -> Option<&Outcome> {
        self.recent
            .iter()
            .find(|(kept, _)| *kept == seq)
            .map(|(_, outcome)| outcome)
    }
}

/// A line nobody sent in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiredLine {
    pub line: LineId,
    pub item_id: String,
    pub added_by: Diner,
    pub added_by_phone: PhoneId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}
