//! What applying a mutation did, in types the widget turns into words.

use serde::{Deserialize, Serialize};

use crate::ids::{Diner, LineId};

/// The server's answer to one mutation. Stored with the phone's sequence
/// number, so a re-delivery gets this same answer back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// In the cart of the round the phone saw.
    Applied,
    /// Applied, but round `saw` had been sent meanwhile: the change is in
    /// round `open`'s cart. The diner is told, so nothing seems to vanish.
    AppliedToLaterRound { saw: u32, open: u32 },
    /// Not applied, for good; the phone drops it and tells the diner why.
    Rejected(Rejection),
    /// Not applied and not recorded: an earlier mutation of this phone has
    /// not arrived yet. The phone sends again from `expected`.
    OutOfOrder { expected: u64 },
    /// Applied before, so long ago that its answer is no longer kept.
    AlreadyApplied,
}

impl Outcome {
    /// Whether the change is in the cart (now or earlier).
    pub fn is_applied(&self) -> bool {
        matches!(
            self,
            Outcome::Applied | Outcome::AppliedToLaterRound { .. } | Outcome::AlreadyApplied
        )
    }
}

/// Why a change was refused, with what the diner needs to hear it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum Rejection {
    /// The line is no longer in the cart; the change brings nothing back.
    #[error("line {line:?} is no longer in the cart ({why:?})")]
    LineGone { line: LineId, why: Gone },
    /// Options and note are the adder's until they confirm the line.
    #[error("line {line:?} is {}'s to change until they confirm it", added_by.name)]
    NotYours { line: LineId, added_by: Diner },
    /// A line with this id exists or existed at this table.
    #[error("line id {line:?} is already taken")]
    LineIdTaken { line: LineId },
    #[error("at most {max} of one dish on a line")]
    QuantityTooLarge { max: u32 },
    #[error("the cart holds at most {max} lines")]
    CartFull { max: usize },
    #[error("the table remembers at most {max} phones")]
    TableFull { max: usize },
    #[error("round {round} has not been opened yet")]
    FutureRound { round: u32 },
    #[error("{0:?} is not valid")]
    Invalid(Field),
}

/// Why a line left the cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gone {
    /// Someone removed it, or took its quantity to zero.
    Removed { by: Diner },
    /// It went to the kitchen in this round.
    Sent { round: u32 },
    /// Nobody ordered it in time.
    Expired,
    /// Not known here (the phone's own preview knows less than the server).
    Unknown,
}

/// The part of a mutation that is malformed. The widget never makes these;
/// they are for a script or a corrupted queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Phone,
    Diner,
    Line,
    Item,
    Options,
    Note,
    Quantity,
    Price,
    MenuVersion,
}
