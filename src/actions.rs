//! What the widget does, as plain async functions over [`Widget`]: load what
//! the phone kept, refresh the menu, save the cart, place and deliver orders.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wendan_outbox::OutboxEntry;
use wendan_protocol::OrderRequest;
use wendan_protocol::order::ClientInfo;

use crate::api;
use crate::cart::{Cart, non_empty};
use crate::delivery::{self, clock, signal};
use crate::device::device_id;
use crate::embed;
use crate::errors::{ApiError, PlaceError, StoreError};
use crate::i18n::{self, words};
use crate::service_worker;
use crate::store::{CachedMenu, Store};
use crate::widget::Widget;

/// Shows what the phone kept (cart, orders, last menu) and the current
/// menu, whichever comes first, then delivers anything waiting.
pub async fn start(widget: Widget) {
    // The menu is what a first-time diner waits for: its fetch (answered by
    // index.html's preload) runs while storage opens and is read.
    let (fresh, store) = futures_util::join!(fetch_and_show_menu(widget), open_storage(widget));
    spawn_local(scan_table(widget));
    let Some(store) = store else { return };
    spawn_local(crate::payment::start(widget));
    if let Some(fresh) = fresh {
        report(widget, store.save_menu(&fresh).await);
    }
    deliver(widget).await;
}

/// Opens storage and shows what it kept. `None` when it cannot open (the
/// diner has been told).
async fn open_storage(widget: Widget) -> Option<Store> {
    let store = match Store::open().await {
        Ok(store) => store,
        Err(error) => {
            widget.show_store_error(&error);
            return None;
        }
    };
    if store.is_fallback() {
        widget.notice.set(Some(
            words(widget.language.get_untracked())
                .storage_fallback
                .into(),
        ));
    }
    widget.store.set_value(Some(store.clone()));
    ask_for_persistent_storage();
    service_worker::register(widget.webview);
    service_worker::watch_for_update(widget.webview, widget.update_available);
    // The network's menu may already be on screen: a kept one never replaces it.
    if let Some(Some(kept)) = report(widget, store.load_menu().await)
        && widget.menu.with_untracked(Option::is_none)
    {
        widget.menu.set(Some(kept));
    }
    reload_cart(widget).await;
    reload_orders(widget).await;
    Some(store)
}

/// On a table's link, tells the restaurant the party sat down (开台, where
/// the first scan opens the table), after the menu: it must not compete
/// with it on a weak signal. A table that cannot take orders (staff have
/// not opened it, or the code was replaced) is said at once, before the
/// diner chooses a meal the server would refuse. Without a network the
/// first order opens the visit instead, so that failure is only logged.
async fn scan_table(widget: Widget) {
    let Some((table, code)) = widget.table_link() else {
        return;
    };
    match api::scan_table(&table, &code).await {
        Ok(_) => crate::table_cart::join(widget).await,
        Err(ApiError::Refused(kind)) => {
            let language = widget.language.get_untracked();
            widget
                .notice
                .set(Some(i18n::problem_text(language, Some(kind)).to_owned()));
        }
        Err(error) => {
            web_sys::console::warn_1(&format!("the table's visit was not opened: {error}").into());
        }
    }
}

/// Shows a storage error to the diner instead of dropping it.
fn report<T>(widget: Widget, result: Result<T, StoreError>) -> Option<T> {
    result.map_err(|error| widget.show_store_error(&error)).ok()
}

/// Fetches the menu and saves it if it changed; keeps the shown one when
/// offline.
pub async fn refresh_menu(widget: Widget) {
    if let Some(fresh) = fetch_and_show_menu(widget).await
        && let Some(store) = widget.store()
    {
        report(widget, store.save_menu(&fresh).await);
    }
}

/// Fetches the menu and shows it if it is not the one on screen (by ETag):
/// the new menu, to be saved, or `None`.
async fn fetch_and_show_menu(widget: Widget) -> Option<CachedMenu> {
    match api::fetch_menu().await {
        Ok((menu, etag)) => {
            widget.reachable.set(Some(true));
            let shown = widget
                .menu
                .with_untracked(|shown| shown.as_ref().map(|shown| shown.etag.clone()));
            if etag.is_some() && shown.as_ref() == Some(&etag) {
                return None;
            }
            let fresh = CachedMenu {
                menu,
                etag,
                fetched_at_ms: js_sys::Date::now(),
            };
            widget.menu.set(Some(fresh.clone()));
            Some(fresh)
        }
        Err(ApiError::Network(_)) => {
            widget.reachable.set(Some(false));
            None
        }
        Err(error) => {
            let showing_saved = widget.menu.with_untracked(Option::is_some);
            let language = widget.language.get_untracked();
            widget
                .notice
                .set(Some(i18n::menu_error_text(language, &error, showing_saved)));
            None
        }
    }
}

/// "Add": to the table's shared cart where the table shares one, else to
/// this phone's own cart.
pub fn add_to_cart(widget: Widget, item_id: &str, options: Vec<String>, note: &str) {
    if widget.table_cart.with_untracked(Option::is_some) {
        crate::table_cart::add(widget, item_id, options, note);
    } else {
        change_cart(widget, |cart| cart.add(item_id, options, note));
    }
}

/// Changes the cart and saves it at once.
pub fn change_cart(widget: Widget, change: impl FnOnce(&mut Cart)) {
    widget.cart.update(change);
    // Before the stored cart is read, saving would overwrite it; the change
    // is added to it when it arrives (`reload_cart`).
    if widget.cart_loaded.get_value() {
        save_cart(widget, widget.cart.get_untracked());
    }
}

fn save_cart(widget: Widget, cart: Cart) {
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
        // Unreadable (the diner has been told): the cart on screen is kept
        // and saved from now on.
        widget.cart_loaded.set_value(true);
        return;
    };
    if let Some(profile) = report(widget, store.load_profile().await) {
        cart.prefill(&profile);
    }
    // The first read: what the diner tapped while it was under way (read
    // after the last await, so nothing slips between) goes on top of it.
    if !widget.cart_loaded.get_value() {
        widget.cart_loaded.set_value(true);
        if cart.absorb_early(&widget.cart.get_untracked()) {
            save_cart(widget, cart.clone());
        }
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

/// Places the cart as an order: saved with a fresh key and emptied from the
/// cart in one transaction, shown at once, then delivered.
pub async fn place_order(widget: Widget) -> Result<(), PlaceError> {
    let store = widget.store().ok_or(PlaceError::NoStorage)?;
    let cart = widget.cart.get_untracked();
    let menu = widget.menu.get_untracked().ok_or(PlaceError::NoMenu)?.menu;
    let key = clock::new_idempotency_key().ok_or(PlaceError::NoRandomSource)?;
    let now = clock::now();
    let table = widget.table.get_untracked();
    let table_code = table
        .is_some()
        .then(|| widget.table_code.get_untracked())
        .flatten();
    let request = OrderRequest {
        mode: Cart::mode(table.as_deref()),
        table_code,
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
    embed::order_placed(widget, &entry);
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
