//! The kitchen's words for order statuses and its buttons, in every language
//! (`Lang::ALL`). They are here, matched exhaustively, rather than in
//! kitchen.js, so a new status or action does not compile until it has a word
//! in each language; the board hands them to the page.

use std::collections::BTreeMap;

use serde::Serialize;
use wendan_protocol::OrderStatus;

use super::actions::KitchenAction;
use crate::language::Lang;

/// What a status badge says.
pub fn status_word(lang: Lang, status: OrderStatus) -> &'static str {
    let (zh, en) = match status {
        OrderStatus::Received => ("新单", "New"),
        OrderStatus::Preparing => ("制作中", "Preparing"),
        OrderStatus::Ready => ("待取餐", "Ready"),
        OrderStatus::Completed => ("已取餐", "Completed"),
        OrderStatus::Cancelled => ("已取消", "Cancelled"),
    };
    pick(lang, zh, en)
}

/// What a ticket's button says.
pub fn action_word(lang: Lang, action: KitchenAction) -> &'static str {
    let (zh, en) = match action {
        KitchenAction::Start => ("开始制作", "Start"),
        KitchenAction::Bump => ("出餐", "Bump"),
        KitchenAction::Complete => ("已取餐", "Complete"),
        KitchenAction::Recall => ("召回", "Recall"),
        KitchenAction::Cancel => ("取消", "Cancel"),
    };
    pick(lang, zh, en)
}

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The words of one language, keyed by the names the board uses.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct KitchenWords {
    pub statuses: BTreeMap<&'static str, &'static str>,
    pub actions: BTreeMap<&'static str, &'static str>,
}

/// Every language's words, keyed by language tag (`zh-CN`, `en`).
pub fn all() -> BTreeMap<&'static str, KitchenWords> {
    Lang::ALL
        .into_iter()
        .map(|lang| {
            let words = KitchenWords {
                statuses: OrderStatus::ALL
                    .into_iter()
                    .map(|status| (status.as_str(), status_word(lang, status)))
                    .collect(),
                actions: KitchenAction::ALL
                    .into_iter()
                    .map(|action| (action.as_str(), action_word(lang, action)))
                    .collect(),
            };
            (lang.code(), words)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page's stylesheet: each status on the board needs its colour.
    const KITCHEN_CSS: &str = include_str!("../../kitchen-display/kitchen.css");

    #[test]
    fn every_status_and_action_has_a_word_in_every_language() {
        let words = all();
        assert_eq!(words.len(), Lang::ALL.len());
        for (code, words) in &words {
            assert_eq!(words.statuses.len(), OrderStatus::ALL.len(), "{code}");
            assert_eq!(words.actions.len(), KitchenAction::ALL.len(), "{code}");
            for word in words.statuses.values().chain(words.actions.values()) {
                assert!(!word.trim().is_empty(), "{code}: an empty word");
            }
        }
        assert_ne!(words["zh-CN"], words["en"]);
    }

    #[test]
    fn every_status_on_the_board_has_a_colour() {
        for status in OrderStatus::ALL
            .into_iter()
            .filter(|status| status.is_open())
        {
            let rule = format!(".badge.status-{} {{ background:", status.as_str());
            assert!(
                KITCHEN_CSS.contains(&rule),
                "kitchen.css has no colour for {status:?} (expected `{rule} …`)"
            );
        }
    }
}
