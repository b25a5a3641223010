use leptos::prelude::*;
use wendan_outbox::schedule::pending_count;

use crate::i18n::{self, words};
use crate::widget::use_widget;

/// The connectivity line: what the server last said, not `navigator.onLine`
/// alone, and how many orders are still on this phone.
#[component]
pub fn StatusLine() -> impl IntoView {
    let widget = use_widget();
    let text = move || {
        let language = widget.language.get();
        let waiting = widget.orders.with(|orders| pending_count(orders));
        let offline = widget.reachable.get() == Some(false);
        let mut parts = Vec::new();
        // The kitchen's latest news first: this paragraph is the live region.
        if let Some(news) = widget.announcement.get() {
            parts.push(news);
        }
        if offline {
            parts.push(words(language).offline.to_owned());
        } else if widget.reachable.get() == Some(true) {
            parts.push(words(language).online.to_owned());
        }
        if waiting > 0 {
            parts.push(i18n::count(
                language,
                &words(language).waiting_to_send,
                waiting,
            ));
        }
        if offline && let Some(at) = widget.menu.with(|m| m.as_ref().map(|m| m.fetched_at_ms)) {
            let date = js_sys::Date::new(&at.into());
            parts.push(format!(
                "{} {}",
                words(language).menu_updated,
                String::from(
                    date.to_locale_string(language.tag(), &wasm_bindgen::JsValue::UNDEFINED)
                )
            ));
        }
        parts.join(" · ")
    };
    view! {
        <p class="status-line" role="status" class:offline=move || widget.reachable.get() == Some(false)>
            {text}
        </p>
        <p class="notice" role="alert">{move || widget.notice.get()}</p>
        <Show when=move || widget.update_available.get()>
            <p class="update">
                <button type="button" on:click=move |_| crate::service_worker::apply_update(widget.webview)>
                    {move || words(widget.language.get()).update_available}
                </button>
            </p>
        </Show>
    }
}
