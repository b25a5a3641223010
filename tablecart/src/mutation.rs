//! One change to the cart, as a phone makes it and the server applies it.

use serde::{Deserialize, Serialize};

use crate::ids::{Diner, LineId, PhoneId};
use crate::line::NewLine;

/// A change with its author and place in that phone's sequence.
/// `(phone, seq)` is its identity: the server applies each exactly once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mutation {
    pub phone: PhoneId,
    /// 1, 2, 3… per phone, with no gaps: the server applies `last + 1` only.
    pub seq: u64,
    /// The round the phone saw open when it made the change. If the server
    /// has cut that round since, the change lands in the open round's cart
    /// and the phone is told ([`crate::Outcome::AppliedToLaterRound`]).
    pub round: u32,
    /// Who made it, for the shared screen ("removed by 小王").
    pub by: Diner,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Anyone adds a line; it is theirs to choose options for.
    AddLine(NewLine),
    /// A delta, never a new value: two diners each tapping "+1" on the same
    /// line make it two more, whatever order the server sees them in.
    /// Anyone may; at zero or below the line is removed.
    ChangeQty { line: LineId, delta: i32 },
    /// New options and note, priced again by the phone. The adder's until
    /// they confirm the line; after that, anyone's.
    EditLine {
        line: LineId,
        options: Vec<String>,
        note: Option<String>,
        unit_price_minor: i64,
        menu_version: String,
    },
    /// The adder is done choosing: the line is open to everyone's edits.
    ConfirmLine { line: LineId },
    /// Anyone may (they could reach zero with "−" anyway).
    RemoveLine { line: LineId },
}

impl Change {
    /// The line this change is about.
    pub fn line(&self) -> &LineId {
        match self {
            Change::AddLine(new) => &new.id,
            Change::ChangeQty { line, .. }
            | Change::EditLine { line, .. }
            | Change::ConfirmLine { line }
            | Change::RemoveLine { line } => line,
        }
    }
}
