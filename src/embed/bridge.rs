//! The `postMessage` edge to the host page: events go to the one trusted
//! origin (never `"*"`), and commands are taken only from that origin and
//! from the parent window.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::MessageEvent;
use wendan_protocol::theme::Theme;
use wendan_words::Language;

use super::host::{self, HostRefused};
use super::messages::{HostCommand, HostEvent, table_from_host};
use crate::url::query_param;
use crate::widget::Widget;

thread_local! {
    /// The trusted host's origin, once checked.
    static HOST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Checks the host and, if it is trusted, listens to it and says `ready`.
pub fn connect(widget: Widget, allowed: &[String], theme: Theme) {
    let window = window();
    let parent = window.parent().ok().flatten();
    let framed = parent
        .as_ref()
        .is_some_and(|parent| !js_sys::Object::is(parent, &window));
    let claimed = query_param("host");
    let trusted = host::trusted_host(
        framed,
        claimed.as_deref(),
        allowed,
        parent_origin().as_deref(),
    );
    let origin = match trusted {
        Ok(origin) => origin,
        Err(HostRefused::NotFramed) => return,
        Err(refused) => {
            web_sys::console::warn_1(&format!("host page ignored: {refused}").into());
            return;
        }
    };
    HOST.with_borrow_mut(|host| *host = Some(origin.clone()));
    listen(widget, origin);
    ask_to_close_on_escape();
    post(&HostEvent::Ready { theme });
    if let Some(event) = widget.menu.with_untracked(|menu| {
        menu.as_ref().map(|m| {
            widget
                .cart
                .with_untracked(|cart| HostEvent::cart(cart, &m.menu))
        })
    }) {
        post(&event);
    }
}

/// Tells the trusted host, if there is one.
pub fn post(event: &HostEvent) {
    let Some(origin) = HOST.with_borrow(Clone::clone) else {
        return;
    };
    let Ok(Some(parent)) = window().parent() else {
        return;
    };
    let Some(message) = super::to_js(event) else {
        return;
    };
    if let Err(error) = parent.post_message(&message, &origin) {
        web_sys::console::warn_2(&"cannot tell the host page".into(), &error);
    }
}

/// The framing page's origin where the browser tells (Chromium, Safari).
fn parent_origin() -> Option<String> {
    let location = window().location();
    let origins = js_sys::Reflect::get(&location, &"ancestorOrigins".into()).ok()?;
    js_sys::Reflect::get(&origins, &"0".into())
        .ok()?
        .as_string()
}

fn listen(widget: Widget, origin: String) {
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let from_parent = match (event.source(), window().parent()) {
            (Some(source), Ok(Some(parent))) => js_sys::Object::is(&source, &parent),
            _ => false,
        };
        if event.origin() != origin || !from_parent {
            return;
        }
        // Anything that is not a known command is not for us.
        let json = js_sys::JSON::stringify(&event.data())
            .ok()
            .and_then(|json| json.as_string());
        if let Some(Ok(command)) = json.map(|json| serde_json::from_str::<HostCommand>(&json)) {
            obey(widget, command);
        }
    });
    let _ =
        window().add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    on_message.forget();
}

fn obey(widget: Widget, command: HostCommand) {
    match command {
        HostCommand::SetTable { table, code } => match table_from_host(&table) {
            Some(table) => {
                // The code belongs to the table: a new table without one
                // must not order with the last table's.
                widget
                    .table_code
                    .set(code.map(|code| code.trim().to_owned()));
                widget.table.set(Some(table));
            }
            None => web_sys::console::warn_1(&"host asked for an invalid table".into()),
        },
        HostCommand::SetLanguage { lang } => match Language::from_tag(&lang) {
            Some(language) => widget.language.set(language),
            None => web_sys::console::warn_1(&"host asked for a language the widget lacks".into()),
        },
    }
}

/// Escape with no dialog of the widget's own open: the diner wants out of
/// the overlay, which only the loader on the host page can close.
fn ask_to_close_on_escape() {
    let _ = window_event_listener(leptos::ev::keydown, |event| {
        let own_dialog_open = document()
            .query_selector("dialog[open]")
            .ok()
            .flatten()
            .is_some();
        if event.key() == "Escape" && !event.default_prevented() && !own_dialog_open {
            post(&HostEvent::CloseRequest);
        }
    });
}
