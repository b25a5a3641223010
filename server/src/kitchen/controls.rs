//! The kitchen's live switches: pausing intake and marking items sold out
//! (估清). Kept in the database, so they survive a restart and every replica
//! sharing a PostgreSQL database obeys the same switches.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wendan_protocol::Menu;
use wendan_protocol::limits::{MAX_PAUSE_MESSAGE_CHARS, fits};

/// The switches as stored, and as the display shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KitchenControls {
    /// The restaurant's message while intake is paused; `None` when open.
    pub paused: Option<String>,
    /// Items the kitchen has marked, by id: `true` sold out, `false` back on
    /// (which also overrides a `sold_out` written in the menu file).
    pub sold_out: BTreeMap<String, bool>,
}

impl KitchenControls {
    /// The menu the diners see: the file's menu with the kitchen's marks.
    pub fn apply_to(&self, menu: &Menu) -> Menu {
        let mut menu = menu.clone();
        for item in &mut menu.items {
            if let Some(sold_out) = self.sold_out.get(&item.id) {
                item.sold_out = *sold_out;
            }
        }
        menu
    }
}

/// `PUT /api/v1/kitchen/intake`: pause with a message, or resume.
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct IntakeChange {
    pub paused: bool,
    /// Shown to diners whose orders are refused; required when pausing.
    #[serde(default)]
    pub message: Option<String>,
}

/// `PUT /api/v1/kitchen/items/{id}/sold-out`.
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct SoldOutChange {
    pub sold_out: bool,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum IntakeChangeError {
    #[error("say why intake is paused: diners are shown the message")]
    MissingMessage,
    #[error("the message may be at most {MAX_PAUSE_MESSAGE_CHARS} characters")]
    MessageTooLong,
}

impl IntakeChange {
    /// The pause message to store (`None` = open), checked.
    pub fn paused_message(&self) -> Result<Option<String>, IntakeChangeError> {
        if !self.paused {
            return Ok(None);
        }
        let message = self.message.as_deref().map(str::trim).unwrap_or_default();
        if message.is_empty() {
            return Err(IntakeChangeError::MissingMessage);
        }
        if !fits(message, MAX_PAUSE_MESSAGE_CHARS) {
            return Err(IntakeChangeError::MessageTooLong);
        }
        Ok(Some(message.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::menu::PublishedMenu;

    #[test]
    fn marks_override_the_menu_file_both_ways() {
        let menu = PublishedMenu::demo().expect("demo").menu;
        let file_sold_out = menu
            .items
            .iter()
            .find(|item| item.sold_out)
            .expect("one sold out in the demo")
            .id
            .clone();
        let controls = KitchenControls {
            paused: None,
            sold_out: BTreeMap::from([
                ("beef-tripe".to_owned(), true),
                (file_sold_out.clone(), false),
                ("no-such-item".to_owned(), true),
            ]),
        };
        let marked = controls.apply_to(&menu);
        let sold_out = |id: &str| {
            marked
                .items
                .iter()
                .find(|item| item.id == id)
                .expect("item")
                .sold_out
        };
        assert!(sold_out("beef-tripe"));
        assert!(!sold_out(&file_sold_out));
        assert_eq!(marked.items.len(), menu.items.len());
    }

    #[test]
    fn pausing_needs_a_short_message() {
        let change = |paused, message: Option<&str>| IntakeChange {
            paused,
            message: message.map(Into::into),
        };
        assert_eq!(change(false, Some("ignored")).paused_message(), Ok(None));
        assert_eq!(
            change(true, Some("  厨房爆单，请稍候 ")).paused_message(),
            Ok(Some("厨房爆单，请稍候".to_owned()))
        );
        assert_eq!(
            change(true, Some("  ")).paused_message(),
            Err(IntakeChangeError::MissingMessage)
        );
        let long = "满".repeat(MAX_PAUSE_MESSAGE_CHARS + 1);
        assert_eq!(
            change(true, Some(&long)).paused_message(),
            Err(IntakeChangeError::MessageTooLong)
        );
    }
}
