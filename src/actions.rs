//! What the widget does, as plain async functions over [`Widget`]: load what
//! the phone kept, refresh the menu, save the cart, place and deliver orders.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wendan_outbox::OutboxEntry;
use wendan_protocol::OrderRequest;
use wendan_protocol::order::ClientInfo;

use crate::api::{self, MenuFetch};
use crate::cart::{Cart, non_empty};
use crate::delivery::{self, clock, signal};
use crate::i18n::{self, Msg, t};
use crate::service_worker;
use crate::store::{CachedMenu, Store, StoreError};
use crate::widget::Widget;

const DEVICE_ID_KEY: &str = "wendan.device";

/// Opens storage, shows what the phone kept (cart, orders, last menu) at
/// once, then refreshes the menu and delivers anything waiting.
pub async fn start(widget: Widget) {
    let store = match Store::open().await {
        Ok(store) => store,
        Err(error) => {
            widget.show_store_error(&error);
            return;
        }
    };
    if store.is_fallback() {
        widget.notice.set(Some(
            t(widget.language.get_untracked(), Msg::StorageFallback).into(),
        ));
    }
    widget.store.set_value(Some(store.clone()));
    ask_for_persistent_storage();
    service_worker::register(widget.webview);
    service_worker::watch_for_update(widget.webview, widget.update_available);
    if let Some(menu) = report(widget, store.load_menu().await) {
        widget.menu.set(menu);
    }
    // The menu is what a first-time diner waits for: fetch it (index.html
    // has preloaded it) while the cart and the orders are read.
    let kept = async {
        reload_cart(widget).await;
        reload_orders(widget).await;
    };
    futures_util::join!(refresh_menu(widget), kept);
    deliver(widget).await;
}

/// Shows a storage error to the diner instead of dropping it.
fn report<T>(widget: Widget, result: Result<T, StoreError>) -> Option<T> {
    result.map_err(|error| widget.show_store_error(&error)).ok()
}

/// Fetches the menu if it changed; keeps the cached one when offline.
pub async fn refresh_menu(widget: Widget) {
    let etag = widget
        .menu
        .with_untracked(|menu| menu.as_ref().and_then(|m| m.etag.clone()));
    match api::fetch_menu(etag.as_deref()).await {
        Ok(MenuFetch::Fresh { menu, etag }) => {
            let cached = CachedMenu {
                menu,
                etag,
                fetched_at_ms: js_sys::Date::now(),
            };
            widget.reachable.set(Some(true));
            // Shown first, saved after: the diner need not wait for the disk.
            widget.menu.set(Some(cached.clone()));
            if let Some(store) = widget.store() {
                report(widget, store.save_menu(&cached).await);
            }
        }
        Ok(MenuFetch::NotModified) => widget.reachable.set(Some(true)),
        Err(api::ApiError::Network(_)) => widget.reachable.set(Some(false)),
        Err(error) => {
            let showing_saved = widget.menu.with_untracked(Option::is_some);
            let language = widget.language.get_untracked();
            widget
                .notice
                .set(Some(i18n::menu_error_text(language, &error, showing_saved)));
        }
    }
}

/// Changes the cart and saves it at once.
pub fn change_cart(widget: Widget, change: impl FnOnce(&mut Cart)) {
    widget.cart.update(change);
    let cart = widget.cart.get_untracked();
    let Some(store) = widget.store() else { return };
    spawn_local(async move {
        if report(widget, store.save_cart(&cart).await).is_some() {
            signal::cart_changed();
        }
    });
}

/// Shows the stored cart; one not yet started offers the remembered
/// pickup name.
pub async fn reload_cart(widget: Widget) {
    let Some(store) = widget.store() else { return };
    let Some(mut cart) = report(widget, store.load_cart().await) else {
        return;
    };
    if let Some(profile) = report(widget, store.load_profile().await) {
        cart.prefill(&profile);
    }
    widget.cart.set(cart);
}

pub async fn reload_orders(widget: Widget) {
    let Some(store) = widget.store() else { return };
    if let Some(load) = report(widget, store.outbox().await) {
        if let Some(error) = load.set_aside.first() {
            widget.show_store_error(error);
        }
        let mut entries = load.entries;
        entries.sort_by_key(|entry| std::cmp::Reverse(entry.request.client.created_at));
        widget.orders.set(entries);
    }
}

/// Why "Place order" saved nothing; the cart stays as it was.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlaceError {
    #[error("storage is not open")]
    NoStorage,
    #[error("no menu")]
    NoMenu,
    #[error("no random source for the order key")]
    NoRandomSource,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Places the cart as an order: saved with a fresh key and emptied from the
/// cart in one transaction, shown at once, then delivered.
pub async fn place_order(widget: Widget) -> Result<(), PlaceError> {
    let store = widget.store().ok_or(PlaceError::NoStorage)?;
    let cart = widget.cart.get_untracked();
    let menu = widget.menu.get_untracked().ok_or(PlaceError::NoMenu)?.menu;
    let key = clock::new_idempotency_key().ok_or(PlaceError::NoRandomSource)?;
    let now = clock::now();
    let table = widget.table.get_untracked();
    let request = OrderRequest {
        mode: Cart::mode(table.as_deref()),
        pickup_name: table.is_none().then(|| cart.pickup_name.trim().to_owned()),
        table,
        items: cart.order_lines(),
        note: non_empty(&cart.note),
        client: ClientInfo {
            device_id: device_id(),
            created_at: now,
            sent_at: now,
            menu_version: menu.version.clone(),
            total_minor: cart.total_minor(&menu),
        },
    };
    let entry = OutboxEntry::new(key, request, menu.max_order_age_secs);
    let emptied = match store.place(&entry, cart.revision).await {
        Ok(emptied) => emptied,
        Err(StoreError::CartChanged) => {
            // Another tab ordered this cart: show the truth, place nothing.
            reload_cart(widget).await;
            reload_orders(widget).await;
            return Ok(());
        }
        // Nothing was saved and the cart stays: the diner is told why.
        Err(error) => return Err(error.into()),
    };
    if let Some(performance) = window().performance() {
        // Tap to durable: the order is committed to the phone's storage.
        let _ = performance.measure_with_start_mark("order-durable", "place-order-tap");
    }
    crate::embed::order_placed(widget, &entry);
    widget.cart.set(emptied);
    signal::cart_changed();
    signal::outbox_changed();
    reload_orders(widget).await;
    service_worker::request_background_sync(widget.webview);
    spawn_local(deliver(widget));
    Ok(())
}

/// Runs the outbox delivery loop and shows what it found.
pub async fn deliver(widget: Widget) {
    deliver_on(widget, delivery::Trigger::Routine).await;
}

/// Delivery because the network came back: network backoffs end now.
pub async fn deliver_network_back(widget: Widget) {
    deliver_on(widget, delivery::Trigger::NetworkBack).await;
}

async fn deliver_on(widget: Widget, trigger: delivery::Trigger) {
    let Some(store) = widget.store() else { return };
    match delivery::deliver(store, trigger).await {
        Ok(reach) => {
            if reach.answered {
                widget.reachable.set(Some(true));
            } else if reach.unreachable {
                widget.reachable.set(Some(false));
            }
        }
        Err(error) => widget.show_store_error(&error),
    }
    reload_orders(widget).await;
}

/// Asks the browser not to evict the outbox under storage pressure
/// (`navigator.storage.persist()`); a refusal changes nothing else.
fn ask_for_persistent_storage() {
    let _ = window().navigator().storage().persist();
}

/// A random id for this phone, kept in localStorage (not personal data).
fn device_id() -> String {
    if let Ok(id) = LocalStorage::get::<String>(DEVICE_ID_KEY) {
        return id;
    }
    let id = clock::new_idempotency_key()
        .map(|key| key.to_string())
        .unwrap_or_else(|| "unknown-device".into());
    let _ = LocalStorage::set(DEVICE_ID_KEY, &id);
    id
}
