//! Following the kitchen: one `EventSource` per open order the restaurant
//! has, resuming with `Last-Event-ID` by itself after a dropped connection.
//! Offline, the last status stays shown (it is stored with the order).

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{EventSource, MessageEvent};
use wendan_outbox::DeliveryState;
use wendan_protocol::StatusUpdate;

use crate::actions::{deliver_network_back, reload_orders};
use crate::delivery::signal;
use crate::widget::Widget;

/// Live streams at once. A browser has about six HTTP/1.1 connections per
/// server and each stream holds one: more would starve the sends of queued
/// orders (seen in the drain benchmark: 50 orders stuck behind 6 streams).
const MAX_STREAMS: usize = 2;

/// Keeps the newest open received orders followed, as the outbox changes.
pub fn follow_open_orders(widget: Widget) {
    let sources = StoredValue::new_local(HashMap::<String, EventSource>::new());
    Effect::new(move |_| {
        let open: Vec<String> = widget.orders.with(|orders| {
            orders
                .iter()
                .filter_map(|entry| match &entry.state {
                    DeliveryState::Received { order } if !order.status.is_final() => {
                        Some(order.id.clone())
                    }
                    _ => None,
                })
                // The outbox is listed newest first.
                .take(MAX_STREAMS)
                .collect()
        });
        sources.update_value(|sources| {
            sources.retain(|id, source| {
                let keep = open.contains(id);
                if !keep {
                    source.close();
                }
                keep
            });
            for id in open {
                if !sources.contains_key(&id)
                    && let Some(source) = listen(widget, &id)
                {
                    sources.insert(id, source);
                }
            }
        });
    });
}

fn listen(widget: Widget, order_id: &str) -> Option<EventSource> {
    let source = EventSource::new(&format!("/api/v1/orders/{order_id}/events")).ok()?;
    let on_status = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(data) = event.data().as_string() else {
            return;
        };
        let Ok(update) = serde_json::from_str::<StatusUpdate>(&data) else {
            return;
        };
        spawn_local(apply(widget, update));
    });
    source
        .add_event_listener_with_callback("status", on_status.as_ref().unchecked_ref())
        .ok()?;
    // The closure lives as long as the page; the source is closed when the
    // order closes, after which it is never called again.
    on_status.forget();
    // The stream (re)connecting proves the path to the server works, which
    // a phone "online" all along never hears from the browser: orders
    // waiting out a network failure go now (a server's Retry-After stands).
    let on_open = Closure::<dyn Fn()>::new(move || spawn_local(deliver_network_back(widget)));
    source
        .add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref())
        .ok()?;
    on_open.forget();
    Some(source)
}

async fn apply(widget: Widget, update: StatusUpdate) {
    let Some(store) = widget.store() else { return };
    let Ok(load) = store.outbox().await else {
        return;
    };
    let Some(mut entry) = load.entries.into_iter().find(|entry| match &entry.state {
        DeliveryState::Received { order } => order.id == update.order_id,
        _ => false,
    }) else {
        return;
    };
    let before = entry.stage();
    entry.apply_status(&update);
    if entry.stage() == before {
        return;
    }
    if let Err(error) = store.put_entry(&entry).await {
        widget.show_store_error(&error);
        return;
    }
    signal::outbox_changed();
    reload_orders(widget).await;
    crate::ready_notice::announce(widget, &entry);
}
