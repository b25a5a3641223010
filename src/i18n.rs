//! The widget's words: looked up in the language's one dictionary
//! (`wendan-words`, shared with the kitchen, the admin pages and the
//! loader), with the widget's own enums matched to them exhaustively here,
//! so a new stage, error or refusal does not compile until it has a word.

use wendan_outbox::Stage;
use wendan_protocol::{OrderStatus, ProblemType};
use wendan_words::{Language, Plural, WidgetWords};

use wendan_payments::PaymentState;
use wendan_payments::wire::ProviderId;

use crate::errors::{ApiError, PayError, PlaceError, StoreError};

/// The widget's words in `language`.
pub fn words(language: Language) -> &'static WidgetWords {
    language.widget()
}

/// A sentence with a count, in the plural form the browser's
/// `Intl.PluralRules` picks for `language` ("1 order", "2 orders"; Chinese
/// has one form). Without `Intl` (a very old browser) it reads as "other".
pub fn count(language: Language, sentence: &Plural, count: usize) -> String {
    let intl_plurals = js_sys::Reflect::get(&js_sys::global(), &"Intl".into())
        .and_then(|intl| js_sys::Reflect::has(&intl, &"PluralRules".into()))
        .unwrap_or(false);
    let category = if intl_plurals {
        let locales = js_sys::Array::of1(&language.tag().into());
        let rules = js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new());
        String::from(rules.select(count as f64))
    } else {
        "other".to_owned()
    };
    sentence.format(&category, count)
}

/// Where an order is, in words (`OutboxEntry::stage`).
pub fn state_text(language: Language, stage: Stage) -> &'static str {
    let words = &words(language).stages;
    match stage {
        Stage::Saved => words.saved,
        Stage::Sending => words.sending,
        Stage::AtRestaurant(status) => match status {
            OrderStatus::AwaitingPayment => words.awaiting_payment,
            OrderStatus::Received => words.received,
            OrderStatus::Preparing => words.preparing,
            OrderStatus::Ready => words.ready,
            OrderStatus::Completed => words.completed,
            OrderStatus::Cancelled => words.cancelled,
        },
        Stage::Rejected => words.rejected,
        Stage::PriceChanged => words.price_changed,
        Stage::Expired => words.expired,
    }
}

/// An order's payment, in words (`wendan_payments::wire::receipt_state`).
/// A closed attempt reads as failed: the diner's next step is the same.
pub fn payment_text(language: Language, state: PaymentState) -> &'static str {
    let words = &words(language).payment;
    match state {
        PaymentState::Unpaid => words.unpaid,
        PaymentState::Pending => words.pending,
        PaymentState::Paid | PaymentState::RefundPending => words.paid,
        PaymentState::Failed | PaymentState::Closed => words.failed,
        PaymentState::Refunded => words.refunded,
        PaymentState::Counter => words.counter,
    }
}

/// A provider as the diner chooses it.
pub fn provider_name(language: Language, provider: ProviderId) -> &'static str {
    let words = &words(language).payment;
    match provider {
        ProviderId::Wechat => words.wechat,
        ProviderId::Alipay => words.alipay,
        ProviderId::Stripe => words.stripe,
        ProviderId::Counter => words.counter_choice,
    }
}

/// Why "Pay" did not reach a provider.
pub fn pay_error_text(language: Language, error: &PayError) -> &'static str {
    let words = &words(language).payment;
    match error {
        PayError::CouldNotStart(_) => words.could_not_start,
        PayError::NotHere => words.not_here,
        PayError::WechatSnapshot => words.wechat_snapshot,
    }
}

/// What went wrong with the phone's storage, in the diner's language: what
/// happened and what it means for their orders.
pub fn store_error_text(language: Language, error: &StoreError) -> String {
    let words = &words(language).store_errors;
    let text = match error {
        StoreError::Unavailable(_) => words.unavailable,
        StoreError::Quota => words.quota,
        StoreError::Corrupt { .. } => words.corrupt,
        StoreError::AlreadyPlaced => words.already_placed,
        StoreError::CartChanged => words.cart_changed,
        StoreError::Encode(_) | StoreError::Failed(_) => words.failed,
    };
    // The technical cause stays visible for support, after the explanation.
    format!("{text} ({error})")
}

/// Why "Place order" saved nothing, in the diner's language.
pub fn place_error_text(language: Language, error: &PlaceError) -> String {
    let words = &words(language).place_errors;
    let text = match error {
        PlaceError::Store(store) => return store_error_text(language, store),
        PlaceError::NoStorage => words.no_storage,
        PlaceError::NoMenu => words.no_menu,
        PlaceError::NoRandomSource => words.no_random_source,
    };
    format!("{text} ({error})")
}

/// Why the menu could not be loaded, and whether the diner is looking at
/// the last one saved on the phone (then ordering still works).
pub fn menu_error_text(language: Language, error: &ApiError, showing_saved: bool) -> String {
    let words = &words(language).menu_errors;
    let text = if showing_saved {
        words.showing_saved
    } else {
        words.not_loaded
    };
    format!("{text} ({error})")
}

/// Why the restaurant refused an order, in the diner's language.
pub fn problem_text(language: Language, kind: Option<ProblemType>) -> &'static str {
    use ProblemType::*;
    let words = &words(language).refusals;
    match kind {
        Some(InvalidOrder) => words.invalid_order,
        Some(RestaurantClosed) => words.restaurant_closed,
        Some(MenuChanged) => words.menu_changed,
        Some(OrderExpired) => words.order_expired,
        Some(IdempotencyKeyReused) => words.key_reused,
        Some(TableCodeRefused) => words.table_code_refused,
        Some(TableNotOpen) => words.table_not_open,
        _ => words.other,
    }
}

/// A line-level problem code (`FieldError::code`), in the diner's language.
pub fn violation_text(language: Language, code: &str) -> &'static str {
    let words = &words(language).violations;
    match code {
        "sold_out" => words.sold_out,
        "unknown_item" | "unknown_option" => words.not_on_menu,
        "qty_out_of_range" => words.quantity,
        "too_few_options" => words.too_few_options,
        "too_many_options" => words.too_many_options,
        "note_too_long" => words.note_too_long,
        "table_missing" => words.table_missing,
        "unknown_table" | "table_code_too_long" => words.unknown_table,
        "table_not_allowed" => words.table_not_allowed,
        "pickup_name_missing" => words.pickup_name_missing,
        "pickup_name_not_allowed" => words.pickup_name_not_allowed,
        "device_id_invalid" => words.device_id_invalid,
        "sent_before_created" | "device_clock_wrong" => words.device_clock_wrong,
        _ => words.other,
    }
}

/// Dietary tags and allergens, by code; a code we have no word for is shown as written.
pub fn tag_text(language: Language, code: &str) -> String {
    let words = &words(language).tags;
    let word = match code {
        "spicy" => words.spicy,
        "signature" => words.signature,
        "vegetarian" => words.vegetarian,
        "vegan" => words.vegan,
        "popular" => words.popular,
        "new" => words.new,
        "gluten" => words.gluten,
        "soy" => words.soy,
        "peanut" => words.peanut,
        "sesame" => words.sesame,
        "shellfish" => words.shellfish,
        "fish" => words.fish,
        "egg" => words.egg,
        "milk" => words.milk,
        "tree-nut" => words.tree_nut,
        "celery" => words.celery,
        _ => code,
    };
    word.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_chinese(text: &str) -> bool {
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_stage_of_an_order_has_its_own_words_in_every_language() {
        for language in Language::ALL {
            let mut said = std::collections::HashSet::new();
            for stage in Stage::all() {
                let text = state_text(language, stage);
                assert!(!text.is_empty(), "{stage:?}");
                assert!(
                    said.insert(text),
                    "{}: {stage:?} says the same as another stage",
                    language.tag()
                );
            }
        }
    }

    /// The refusals a diner cannot fix by editing the order say what to do.
    #[test]
    fn the_new_refusals_of_an_order_are_told_in_both_languages() {
        for code in [
            "unknown_table",
            "table_not_allowed",
            "pickup_name_not_allowed",
            "device_id_invalid",
            "sent_before_created",
            "device_clock_wrong",
        ] {
            let zh = violation_text(Language::ZhCn, code);
            let en = violation_text(Language::English, code);
            assert!(has_chinese(zh), "{code}: {zh}");
            assert_ne!(
                en,
                violation_text(Language::English, "no-such-code"),
                "{code}"
            );
        }
    }

    /// Each failure a diner can meet reads in their language, and keeps the
    /// technical cause for support.
    #[test]
    fn place_and_menu_errors_are_told_in_both_languages() {
        let place = [
            PlaceError::NoStorage,
            PlaceError::NoMenu,
            PlaceError::NoRandomSource,
            PlaceError::Store(StoreError::Quota),
        ]
        .map(|error| {
            (
                place_error_text(Language::ZhCn, &error),
                place_error_text(Language::English, &error),
            )
        });
        let menu = [true, false].map(|showing_saved| {
            let error = ApiError::Status(502);
            (
                menu_error_text(Language::ZhCn, &error, showing_saved),
                menu_error_text(Language::English, &error, showing_saved),
            )
        });
        for (zh, en) in place.iter().chain(&menu) {
            assert!(has_chinese(zh), "{zh}");
            assert!(!has_chinese(en), "{en}");
        }
        assert!(place[3].1.contains("storage is full"), "{}", place[3].1);
        assert!(menu[0].1.contains("last menu saved"), "{}", menu[0].1);
        assert!(menu[1].1.contains("reload") && menu[1].1.contains("502"));
    }
}
