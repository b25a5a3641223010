//! The kitchen's words, from the product's one dictionary per language
//! (`wendan_words`). The page is handed every language's words when it
//! loads (`routes::kitchen::page`), so `kitchen.js` keeps none of its own
//! and looks statuses and buttons up by their wire names; the tests match
//! every status and action to its word exhaustively, so a new one fails
//! them until each language has a word for it.

use serde::Serialize;
use wendan_words::{KitchenWords, Language};

/// One language as the page's picker lists it, with all its words.
#[derive(Debug, Serialize)]
pub struct PageLanguage {
    pub tag: &'static str,
    pub name: &'static str,
    pub words: &'static KitchenWords,
}

/// Every language, in picker order: what the page is handed.
pub fn page_languages() -> Vec<PageLanguage> {
    Language::ALL
        .into_iter()
        .map(|language| PageLanguage {
            tag: language.tag(),
            name: language.native_name(),
            words: language.kitchen(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use wendan_protocol::{CallReason, OrderStatus};

    use super::*;
    use crate::kitchen::actions::KitchenAction;

    /// What a status badge says: exhaustive, so a new status fails to compile here.
    fn status_word(language: Language, status: OrderStatus) -> &'static str {
        let words = &language.kitchen().statuses;
        match status {
            OrderStatus::AwaitingPayment => words.awaiting_payment,
            OrderStatus::Received => words.received,
            OrderStatus::Preparing => words.preparing,
            OrderStatus::Ready => words.ready,
            OrderStatus::Completed => words.completed,
            OrderStatus::Cancelled => words.cancelled,
        }
    }

    /// What a ticket's button says: exhaustive, like `status_word`.
    fn action_word(language: Language, action: KitchenAction) -> &'static str {
        let words = &language.kitchen().actions;
        match action {
            KitchenAction::Start => words.start,
            KitchenAction::Bump => words.bump,
            KitchenAction::Complete => words.complete,
            KitchenAction::Recall => words.recall,
            KitchenAction::Cancel => words.cancel,
        }
    }

    /// Every word the page asks for (`t('…')` in the script, `data-text`
    /// and `data-label` in the HTML) is in every language's dictionary.
    #[test]
    fn every_word_the_page_asks_for_is_in_the_dictionary() {
        const SCRIPT: &str = include_str!("../../kitchen-display/kitchen.js");
        const HTML: &str = include_str!("../../kitchen-display/kitchen.html");
        // The text after each `marker` that is not the end of a longer name
        // (`split('-')` is no call of `t`), up to the closing quote.
        let quoted_after = |text: &'static str, marker: &'static str, quote: char| {
            text.match_indices(marker)
                .filter(move |(at, _)| {
                    !text[..*at].chars().next_back().is_some_and(|before| {
                        before.is_alphanumeric() || before == '_' || before == '.'
                    })
                })
                .filter_map(move |(at, _)| text[at + marker.len()..].split(quote).next())
        };
        let asked: Vec<&str> = quoted_after(SCRIPT, "t('", '\'')
            .chain(quoted_after(HTML, "data-text=\"", '"'))
            .chain(quoted_after(HTML, "data-label=\"", '"'))
            .collect();
        assert!(asked.len() > 20, "found only {asked:?}");
        // The open tables' words are their own group (`tw('…')`,
        // `data-tables-text`).
        let asked_for_tables: Vec<&str> = quoted_after(SCRIPT, "tw('", '\'')
            .chain(quoted_after(HTML, "data-tables-text=\"", '"'))
            .collect();
        assert!(
            asked_for_tables.len() > 8,
            "found only {asked_for_tables:?}"
        );
        // The calls' words likewise (`tc('…')`, `data-calls-text`); a
        // call's reason is looked up by its wire word, tested below.
        let asked_for_calls: Vec<&str> = quoted_after(SCRIPT, "tc('", '\'')
            .chain(quoted_after(HTML, "data-calls-text=\"", '"'))
            .collect();
        assert!(asked_for_calls.len() >= 2, "found only {asked_for_calls:?}");
        for language in Language::ALL {
            let kitchen = language.kitchen();
            let groups = [
                (serde_json::to_value(kitchen.page).expect("json"), &asked),
                (
                    serde_json::to_value(kitchen.tables).expect("json"),
                    &asked_for_tables,
                ),
                (
                    serde_json::to_value(kitchen.calls).expect("json"),
                    &asked_for_calls,
                ),
            ];
            for (words, asked) in groups {
                for key in asked {
                    assert!(
                        words.get(key).is_some(),
                        "{}: the kitchen page asks for `{key}`, which the dictionary lacks",
                        language.tag()
                    );
                }
            }
        }
    }

    /// The page's stylesheet: each status on the board needs its colour.
    const KITCHEN_CSS: &str = include_str!("../../kitchen-display/kitchen.css");

    /// The page looks words up by the wire names of statuses and actions:
    /// the dictionary's keys must be exactly those names, with the word the
    /// exhaustive match gives.
    #[test]
    fn the_page_finds_every_status_and_action_by_its_wire_name() {
        for language in Language::ALL {
            let words = serde_json::to_value(language.kitchen()).expect("json");
            let statuses = words["statuses"].as_object().expect("statuses");
            assert_eq!(statuses.len(), OrderStatus::ALL.len());
            for status in OrderStatus::ALL {
                assert_eq!(
                    statuses[status.as_str()],
                    status_word(language, status),
                    "{}: {status:?}",
                    language.tag()
                );
            }
            let actions = words["actions"].as_object().expect("actions");
            assert_eq!(actions.len(), KitchenAction::ALL.len());
            for action in KitchenAction::ALL {
                assert_eq!(
                    actions[action.as_str()],
                    action_word(language, action),
                    "{}: {action:?}",
                    language.tag()
                );
            }
        }
    }

    /// A call's word on the display, exhaustive: a new reason fails to
    /// compile here until each language has a word for it.
    fn call_word(language: Language, reason: CallReason) -> &'static str {
        let words = &language.kitchen().calls;
        match reason {
            CallReason::Hurry => words.hurry,
            CallReason::Water => words.water,
            CallReason::Broth => words.broth,
            CallReason::Bill => words.bill,
            CallReason::Other => words.other,
        }
    }

    /// The page finds a call's word by its reason's wire word.
    #[test]
    fn the_page_finds_every_calls_reason_by_its_wire_word() {
        for language in Language::ALL {
            let words = serde_json::to_value(language.kitchen().calls).expect("json");
            for reason in CallReason::ALL {
                assert_eq!(
                    words[reason.as_str()],
                    call_word(language, reason),
                    "{}: {reason:?}",
                    language.tag()
                );
            }
        }
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
