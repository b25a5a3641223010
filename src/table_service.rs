//! Service for the table on the phone (催单, 呼叫服务员): each press is kept
//! in localStorage, per table, with its idempotency key made before the
//! first send, until the restaurant acknowledges it (the rules are
//! `wendan_tablecart::CallQueue`'s). It is sent at once, again every few
//! seconds while it waits, and when the network is back, so a call made in
//! the basement corner reaches the staff when the signal does. The page
//! sends calls; the service worker does not (a call is wanted now or not
//! at all, and an open page is where the diner waits for staff).

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use wendan_protocol::{CallReason, CallRequest};
use wendan_tablecart::CallQueue;

use crate::api;
use crate::delivery::clock;
use crate::device::device_id;
use crate::errors::ApiError;
use crate::i18n;
use crate::widget::Widget;

const CALLS_KEY_PREFIX: &str = "wendan.calls.";

fn storage_key(table: &str) -> String {
    format!("{CALLS_KEY_PREFIX}{table}")
}

/// Shows the calls this phone kept for its table (after a reload).
pub fn load(widget: Widget) {
    let Some(table) = widget.table.get_untracked() else {
        return;
    };
    if let Ok(queue) = LocalStorage::get::<CallQueue>(storage_key(&table)) {
        widget.calls.set(queue);
    }
}

fn save(widget: Widget) {
    let Some(table) = widget.table.get_untracked() else {
        return;
    };
    let saved = widget
        .calls
        .with_untracked(|queue| LocalStorage::set(storage_key(&table), queue));
    if let Err(error) = saved {
        // Kept on screen for this visit; the diner is told it may not
        // survive a reload.
        web_sys::console::warn_1(&format!("a call was not saved: {error}").into());
    }
}

/// "Call staff" (with a reason) or "Hurry" (with the order's id): kept,
/// then sent.
pub fn press(widget: Widget, reason: CallReason, order_id: Option<String>) {
    let now = js_sys::Date::now();
    let made_key = widget.calls.try_update(|queue| {
        queue.press(reason, order_id.as_deref(), now, || {
            clock::new_idempotency_key()
                .map(|key| key.to_string())
                .unwrap_or_else(|| format!("call-{now}"))
        })
    });
    if made_key.is_some() {
        save(widget);
        leptos::task::spawn_local(deliver(widget));
    }
}

/// Sends every call still waiting; an acknowledged one is marked, a
/// refused one dropped with the reason said, and one the network did not
/// carry waits for the next try.
pub async fn deliver(widget: Widget) {
    let Some((table, code)) = widget.table_link() else {
        return;
    };
    let waiting: Vec<_> = widget
        .calls
        .with_untracked(|queue| queue.waiting().cloned().collect());
    for call in waiting {
        let request = CallRequest {
            reason: call.reason,
            code: code.clone(),
            device_id: device_id(),
            order_id: call.order_id.clone(),
        };
        match api::call_staff(&table, &call.key, &request).await {
            Ok(_) => {
                widget.reachable.set(Some(true));
                widget
                    .calls
                    .update(|queue| queue.acknowledged(&call.key, js_sys::Date::now()));
            }
            Err(ApiError::Refused(kind)) if kind.status() < 500 && kind.status() != 429 => {
                widget.calls.update(|queue| queue.refused(&call.key));
                let language = widget.language.get_untracked();
                widget
                    .notice
                    .set(Some(i18n::problem_text(language, Some(kind)).to_owned()));
            }
            Err(ApiError::Network(_)) => {
                widget.reachable.set(Some(false));
                break;
            }
            Err(_) => break,
        }
        save(widget);
    }
}
