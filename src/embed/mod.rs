//! The widget inside other pages: a restaurant's site (through `embed.js`,
//! in an iframe) and a mini-program web-view.
//!
//! `messages` and `host` are plain Rust (what is said, to whom, and which
//! host may listen); `bridge` is the `postMessage` edge, `webview` the
//! mini-program edge, `theme` applies the brand through CSSOM (never a
//! `style` attribute, which the Content-Security-Policy forbids).

pub mod bridge;
pub mod host;
pub mod messages;
pub mod theme;
pub mod webview;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wendan_outbox::OutboxEntry;
use wendan_protocol::theme::Theme;

use crate::api;
use crate::url::query_param;
use crate::widget::Widget;
use messages::{HostEvent, StatusTracker};

/// Starts theming and, inside an allowed host page, the host bridge; from
/// then on cart and order changes are told to the host (and to a
/// mini-program, when the WeChat JSSDK is there).
pub fn start(widget: Widget) {
    webview::load_jssdk_if_in_mini_program(widget.webview);
    if query_param("embed").as_deref() == Some("1")
        && let Some(root) = document().document_element()
    {
        // The loader's close button sits over the top right corner.
        let _ = root.set_attribute("data-embedded", "");
    }
    let requested = theme::from_query();
    spawn_local(async move {
        let config = match api::fetch_embed_config().await {
            Ok(config) => Some(config),
            Err(error) => {
                web_sys::console::warn_1(&format!("embedding configuration: {error}").into());
                None
            }
        };
        let server_theme = config.as_ref().map(|c| c.theme.clone()).unwrap_or_default();
        let used = theme::apply(&merge(requested, server_theme));
        if let Some(config) = config {
            bridge::connect(widget, &config.frame_ancestors, used);
        }
    });
    announce_cart(widget);
    announce_statuses(widget);
}

/// The loader's attributes win over the server's configuration, field by field.
fn merge(requested: Theme, server: Theme) -> Theme {
    Theme {
        color: requested.color.or(server.color),
        logo: requested.logo.or(server.logo),
        radius_px: requested.radius_px.or(server.radius_px),
    }
}

/// The order was saved on the phone: tell the host page and the mini-program.
pub fn order_placed(widget: Widget, entry: &OutboxEntry) {
    let currency = widget
        .menu
        .with_untracked(|menu| menu.as_ref().map(|m| m.menu.currency.clone()))
        .unwrap_or_default();
    TRACKER.with_borrow_mut(|tracker| tracker.placed(entry));
    let event = HostEvent::placed(entry, currency);
    bridge::post(&event);
    webview::post(&event);
}

/// A plain JS object for `postMessage` (JSON-shaped: maps as objects).
pub(crate) fn to_js(value: &impl serde::Serialize) -> Option<wasm_bindgen::JsValue> {
    let json = serde_json::to_string(value).ok()?;
    js_sys::JSON::parse(&json).ok()
}

thread_local! {
    static TRACKER: std::cell::RefCell<StatusTracker> = std::cell::RefCell::default();
}

fn announce_cart(widget: Widget) {
    Effect::new(move |_| {
        let cart = widget.cart.get();
        let Some(event) = widget
            .menu
            .with(|menu| menu.as_ref().map(|m| HostEvent::cart(&cart, &m.menu)))
        else {
            return;
        };
        bridge::post(&event);
    });
}

fn announce_statuses(widget: Widget) {
    Effect::new(move |_| {
        let events = widget
            .orders
            .with(|orders| TRACKER.with_borrow_mut(|tracker| tracker.observe(orders)));
        for event in events {
            bridge::post(&event);
            webview::post(&event);
        }
    });
}
