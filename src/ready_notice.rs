//! Telling the diner their order moved on: in words in the live region
//! (screen readers hear it), and when it is ready, also by a system
//! notification — only if the diner already allowed them or asked with the
//! "notify me" button; the widget never prompts uninvited.

use leptos::prelude::{GetUntracked, Set};
use web_sys::{Notification, NotificationOptions, NotificationPermission};
use wendan_outbox::{DeliveryState, OutboxEntry, Stage};
use wendan_protocol::OrderStatus;

use crate::i18n::{state_text, words};
use crate::widget::Widget;

/// Says what happened to `entry` (its status just changed).
pub fn announce(widget: Widget, entry: &OutboxEntry) {
    let DeliveryState::Received { order } = &entry.state else {
        return;
    };
    let language = widget.language.get_untracked();
    let stage = entry.stage();
    let text = format!("#{} {}", order.number, state_text(language, stage));
    widget.announcement.set(Some(text.clone()));
    if stage == Stage::AtRestaurant(OrderStatus::Ready)
        && permission() == Some(NotificationPermission::Granted)
    {
        let options = NotificationOptions::new();
        options.set_body(&text);
        options.set_tag(&format!("wendan-{}", order.id));
        // A failure here (e.g. blocked in a web-view) leaves the live region and banner.
        let _ = Notification::new_with_options(words(language).ready_banner, &options);
    }
}

/// The browser's notification permission, if it has the API at all.
pub fn permission() -> Option<NotificationPermission> {
    let window = web_sys::window()?;
    let has_api = js_sys::Reflect::has(&window, &"Notification".into()).unwrap_or(false);
    has_api.then(Notification::permission)
}

/// Whether to offer the "notify me" button: the API exists, not yet decided.
pub fn can_ask() -> bool {
    permission() == Some(NotificationPermission::Default)
}

/// Asks for permission: called only from the diner's tap on "notify me".
pub fn ask(on_answer: impl FnOnce() + 'static) {
    let Ok(promise) = Notification::request_permission() else {
        return;
    };
    leptos::task::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        on_answer();
    });
}
