//! The page's side of the service worker: register it where one can exist,
//! and ask for a Background Sync whenever an order is queued. Where there is
//! no service worker (iOS web-views, mini-programs, `?mode=webview`), nothing
//! here does anything and the page's own delivery carries every order.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{JsFuture, spawn_local};

pub const SCRIPT: &str = "/service-worker.js";
pub const SYNC_TAG: &str = "wendan-outbox";

/// The worker's container, unless this page must do without one.
fn container(webview: bool) -> Option<web_sys::ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    let available = Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false);
    (available && !webview).then(|| navigator.service_worker())
}

/// Registers the worker; a refusal is logged and the page delivers alone.
pub fn register(webview: bool) {
    let Some(container) = container(webview) else {
        return;
    };
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

/// Asks the worker to deliver once the network is back (Chromium's
/// Background Sync), even if this page is closed by then.
pub fn request_background_sync(webview: bool) {
    let Some(container) = container(webview) else {
        return;
    };
    let Ok(ready) = container.ready() else { return };
    spawn_local(async move {
        let Ok(registration) = JsFuture::from(ready).await else {
            return;
        };
        let Ok(sync) = Reflect::get(&registration, &"sync".into()) else {
            return;
        };
        let Ok(register) =
            Reflect::get(&sync, &"register".into()).and_then(|f| f.dyn_into::<Function>())
        else {
            return;
        };
        if let Ok(promise) = register.call1(&sync, &SYNC_TAG.into()) {
            let _ = JsFuture::from(Promise::from(promise)).await;
        }
    });
}
