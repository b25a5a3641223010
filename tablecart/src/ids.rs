//! Who changed the cart, and which line they meant.

use serde::{Deserialize, Serialize};
use wendan_protocol::limits::{fits, is_device_id, is_plain_id};

/// How long a diner's display name may be, in characters.
pub const MAX_DINER_NAME_CHARS: usize = 24;
/// An emoji may be several code points (a flag, a family): a small bound.
pub const MAX_DINER_EMOJI_CHARS: usize = 8;
/// A line id: the widget makes `{phone}-{seq}` or a UUID.
pub const MAX_LINE_ID_CHARS: usize = 80;

/// One phone at the table. Its sequence numbers count from 1 and are only
/// meaningful together with it, so the widget stores the id and its queue
/// as one value ([`crate::PhoneCart`]); a phone that lost one makes a new id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhoneId(pub String);

impl PhoneId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The same rule as the order's `device_id`: plain and bounded.
    pub fn is_valid(&self) -> bool {
        is_device_id(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A line of the cart, named by the phone that adds it, so the phone can
/// edit it before the server has ever seen it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LineId(pub String);

impl LineId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn is_valid(&self) -> bool {
        is_plain_id(&self.0) && self.0.len() <= MAX_LINE_ID_CHARS
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a diner shows up on everyone's screen: "小王 🐼 added 肥牛".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Diner {
    pub name: String,
    #[serde(default)]
    pub emoji: String,
}

impl Diner {
    pub fn new(name: impl Into<String>, emoji: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            emoji: emoji.into(),
        }
    }

    /// Bounded, and without control characters that would break a line of
    /// the shared screen (no newlines, no bidirectional overrides).
    pub fn is_valid(&self) -> bool {
        let printable = |text: &str| {
            !text
                .chars()
                .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c))
        };
        fits(&self.name, MAX_DINER_NAME_CHARS)
            && fits(&self.emoji, MAX_DINER_EMOJI_CHARS)
            && printable(&self.name)
            && printable(&self.emoji)
    }
}
