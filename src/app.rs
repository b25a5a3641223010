use std::time::Duration;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wendan_outbox::schedule::due;
use wendan_words::Language;

use crate::actions;
use crate::components::{
    CartPanel, ItemDialog, MenuView, OrdersView, StatusLine, TableBillView, TableCartView,
    TableService,
};
use crate::delivery::{clock, probe, signal};
use crate::i18n::words;
use crate::live_status;
use crate::table_service;
use crate::url::query_param;
use crate::widget::Widget;

const LANGUAGE_KEY: &str = "wendan.lang";
/// How often an open page checks whether an order is due for another try
/// (and, while one waits on the network, whether a probe is due).
const DELIVERY_TICK: Duration = Duration::from_secs(1);
/// A call for staff that the network did not carry is tried again every
/// this many ticks (and at once when the network is back).
const CALL_RETRY_TICKS: u32 = 5;
/// The table's cart pushes a waiting queue, and reads its rounds' orders,
/// every this many ticks (its stream brings everyone else's changes).
const TABLE_CART_TICKS: u32 = 3;

/// The whole widget.
#[component]
pub fn App() -> impl IntoView {
    let webview = crate::embed::webview::detect();
    let widget = Widget::new(
        initial_language(),
        query_param("table"),
        query_param("code"),
        webview,
    );
    provide_context(widget);
    Effect::new(move |_| {
        let tag = widget.language.get().tag();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", tag);
        }
    });
    crate::table_service::load(widget);
    spawn_local(actions::start(widget));
    crate::embed::start(widget);
    wire_delivery_triggers(widget);
    live_status::follow_open_orders(widget);

    let choose_language = move |event: leptos::ev::Event| {
        if let Some(chosen) = Language::from_tag(&event_target_value(&event)) {
            let _ = LocalStorage::set(LANGUAGE_KEY, chosen.tag());
            widget.language.set(chosen);
        }
    };
    // Each language is listed in itself, so a diner finds theirs whatever
    // the page is in now.
    let language_options = Language::ALL
        .into_iter()
        .map(|language| {
            view! { <option value=language.tag() lang=language.tag()>{language.native_name()}</option> }
        })
        .collect_view();
    let menu = move || {
        let language = widget.language.get();
        match widget.menu.get() {
            Some(cached) => view! { <MenuView menu=cached.menu language /> }.into_any(),
            None => {
                view! { <p class="loading" role="status">{words(language).loading}</p> }.into_any()
            }
        }
    };
    let title = move || {
        let lang = widget.language.get().tag();
        widget.menu.with(|m| {
            m.as_ref()
                .map(|m| m.menu.restaurant.name.get(lang).to_owned())
        })
    };
    view! {
        <header class="top">
            <h1>{title}</h1>
            <select
                class="language"
                aria-label=move || words(widget.language.get()).language
                prop:value=move || widget.language.get().tag()
                on:change=choose_language
            >
                {language_options}
            </select>
        </header>
        <StatusLine />
        <main>
            {menu}
            <TableCartView />
            <OrdersView />
            <TableService />
            <TableBillView />
        </main>
        // At a table that shares one cart, its bar takes the cart's place.
        <Show when=move || !crate::table_cart::active(widget)>
            <CartPanel />
        </Show>
        <ItemDialog />
    }
}

/// Delivery runs on `online`, when the page becomes visible, when another
/// tab or the worker says the outbox changed, and on a timer while open.
fn wire_delivery_triggers(widget: Widget) {
    let deliver = move || spawn_local(actions::deliver(widget));
    let _ = window_event_listener(leptos::ev::online, move |_| {
        spawn_local(actions::deliver_network_back(widget));
        spawn_local(table_service::deliver(widget));
        crate::table_cart::tick(widget);
        spawn_local(actions::refresh_menu(widget));
    });
    let on_visible = Closure::<dyn Fn()>::new(move || {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            deliver();
        }
    });
    let _ = document()
        .add_event_listener_with_callback("visibilitychange", on_visible.as_ref().unchecked_ref());
    on_visible.forget();

    signal::listen(move |message| match message {
        signal::CHANGED => spawn_local(actions::reload_orders(widget)),
        signal::CART_CHANGED => spawn_local(actions::reload_cart(widget)),
        _ => {}
    });

    // Calls waiting for the network are tried every few ticks.
    let ticks = StoredValue::new(0u32);
    let _ = set_interval_with_handle(
        move || {
            ticks.update_value(|ticks| *ticks = ticks.wrapping_add(1));
            let calls_due = ticks.get_value().is_multiple_of(CALL_RETRY_TICKS)
                && widget
                    .calls
                    .with_untracked(|calls| calls.waiting().next().is_some());
            if calls_due {
                spawn_local(table_service::deliver(widget));
            }
            if ticks.get_value().is_multiple_of(TABLE_CART_TICKS) {
                crate::table_cart::tick(widget);
            }
            let due_now = widget
                .orders
                .with_untracked(|orders| !due(orders, clock::now()).is_empty());
            if due_now {
                deliver();
            } else if document().visibility_state() == web_sys::VisibilityState::Visible
                && widget.orders.with_untracked(|orders| probe::due(orders))
            {
                // Orders waiting out a network failure: is the server back?
                spawn_local(async move {
                    if probe::network_back().await {
                        actions::deliver_network_back(widget).await;
                    }
                });
            }
        },
        DELIVERY_TICK,
    );
}

/// `?lang=` wins, then the diner's earlier choice, then the browser's.
fn initial_language() -> Language {
    let requested = query_param("lang").or_else(|| LocalStorage::get::<String>(LANGUAGE_KEY).ok());
    let preferences: Vec<String> = window()
        .navigator()
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .collect();
    Language::choose(
        requested.as_deref(),
        preferences.iter().map(String::as_str),
        Language::WIDGET_FALLBACK,
    )
}
