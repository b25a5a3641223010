//! The page's side of the service worker: register it where one can exist,
//! and ask for a Background Sync whenever an order is queued. Where there is
//! no service worker (iOS web-views, mini-programs, `?mode=webview`), nothing
//! here does anything and the page's own delivery carries every order.

use js_sys::{Function, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::ServiceWorkerRegistration;

pub const SCRIPT: &str = "/service-worker.js";
pub const SYNC_TAG: &str = "wendan-outbox";

/// The worker's container, unless this page must do without one.
fn container(webview: bool) -> Option<web_sys::ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    let available = Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false);
    (available && !webview).then(|| navigator.service_worker())
}

/// Registers the worker once the page has loaded; a refusal is logged and
/// the page delivers alone.
///
/// Installing the worker fetches its own wasm and precaches the shell. On a
/// first visit over a weak signal that would compete with the page's own
/// first load, so it waits for the `load` event, as web.dev advises.
pub fn register(webview: bool) {
    let (Some(window), Some(container)) = (web_sys::window(), container(webview)) else {
        return;
    };
    let loaded = window
        .document()
        .is_some_and(|document| document.ready_state() == "complete");
    if loaded {
        register_now(&container);
        return;
    }
    let waiting = container.clone();
    let on_load = Closure::once_into_js(move || register_now(&waiting));
    if let Err(error) = window.add_event_listener_with_callback("load", on_load.unchecked_ref()) {
        web_sys::console::warn_2(&"could not wait for the page to load".into(), &error);
        register_now(&container);
    }
}

fn register_now(container: &web_sys::ServiceWorkerContainer) {
    let registration = container.register(SCRIPT);
    spawn_local(async move {
        if let Err(error) = JsFuture::from(registration).await {
            web_sys::console::warn_2(
                &"service worker refused; the page delivers alone".into(),
                &error,
            );
        }
    });
}

/// Runs `then` with the worker's registration once it is ready; nothing
/// where no worker can exist.
fn when_ready(webview: bool, then: impl FnOnce(ServiceWorkerRegistration) + 'static) {
    let Some(container) = container(webview) else {
        return;
    };
    let Ok(ready) = container.ready() else { return };
    spawn_local(async move {
        if let Ok(registration) = JsFuture::from(ready).await {
            then(registration.unchecked_into());
        }
    });
}

/// Asks the worker to deliver once the network is back (Chromium's
/// Background Sync), even if this page is closed by then.
pub fn request_background_sync(webview: bool) {
    when_ready(webview, |registration| {
        let Ok(sync) = Reflect::get(&registration, &"sync".into()) else {
            return;
        };
        let Ok(register) =
            Reflect::get(&sync, &"register".into()).and_then(|f| f.dyn_into::<Function>())
        else {
            return;
        };
        // The browser keeps the registration; nothing to wait for here.
        let _ = register.call1(&sync, &SYNC_TAG.into());
    });
}

/// Watches for a new version of the worker waiting to take over, and sets
/// `available` so the page can offer "new version available — reload".
pub fn watch_for_update(webview: bool, available: leptos::prelude::RwSignal<bool>) {
    use leptos::prelude::Set;
    when_ready(webview, move |registration| {
        if registration.waiting().is_some() {
            available.set(true);
        }
        let watched = registration.clone();
        let on_update = Closure::<dyn Fn()>::new(move || {
            let Some(installing) = watched.installing() else {
                return;
            };
            let worker = installing.clone();
            let on_state = Closure::<dyn Fn()>::new(move || {
                if worker.state() == web_sys::ServiceWorkerState::Installed {
                    available.set(true);
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        });
        registration.set_onupdatefound(Some(on_update.as_ref().unchecked_ref()));
        on_update.forget();
    });
}

/// Lets the waiting worker take over (once no send is in progress) and
/// reloads when it controls the page.
pub fn apply_update(webview: bool) {
    let Some(container) = container(webview) else {
        return;
    };
    let on_change = Closure::<dyn Fn()>::new(|| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    });
    container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();
    when_ready(webview, |registration| {
        if let Some(waiting) = registration.waiting() {
            let _ = waiting.post_message(&"skip-waiting".into());
        }
    });
}
