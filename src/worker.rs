//! The service worker's work, called from `src/bin/wendan-sw.rs`:
//!
//! - install: precache the app shell from the build's `precache.json`;
//! - activate: drop the caches of older builds, take control, deliver;
//! - fetch: the app shell cache-first (updated from the network in the
//!   background), the menu stale-while-revalidate; orders never pass here;
//! - sync and messages: deliver the outbox, with the page's own code and
//!   lock, so the page and the worker never send the same order at once.

use js_sys::{Array, Promise};
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{
    Cache, CacheStorage, Request, RequestCache, RequestInit, RequestMode, Response,
    ServiceWorkerGlobalScope,
};

use wendan_outbox::schedule::pending_count;

use crate::delivery;
use crate::errors::StoreError;
use crate::store::{Store, schema};

const SHELL_PREFIX: &str = "wendan-shell-";
const API_CACHE: &str = "wendan-api";
const MENU_PATH: &str = "/api/v1/menu";

#[derive(Deserialize)]
struct Precache {
    files: Vec<String>,
}

fn scope() -> ServiceWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn caches() -> Result<CacheStorage, JsValue> {
    scope().caches()
}

async fn wait(promise: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(promise).await
}

async fn open_cache(name: &str) -> Result<Cache, JsValue> {
    Ok(wait(caches()?.open(name)).await?.unchecked_into())
}

fn shell_cache(version: &str) -> String {
    format!("{SHELL_PREFIX}{version}")
}

pub async fn precache(version: &str) -> Result<(), JsValue> {
    let init = RequestInit::new();
    init.set_cache(RequestCache::NoStore);
    let response: Response = wait(scope().fetch_with_str_and_init("/precache.json", &init))
        .await?
        .unchecked_into();
    let list: Precache = serde_wasm_bindgen::from_value(wait(response.json()?).await?)?;
    let files: Array = list
        .files
        .iter()
        .map(|file| JsValue::from_str(file))
        .collect();
    let cache = open_cache(&shell_cache(version)).await?;
    wait(cache.add_all_with_str_sequence(&files)).await?;
    Ok(())
}

pub async fn activate(version: &str) -> Result<(), JsValue> {
    let current = shell_cache(version);
    let names: Array = wait(caches()?.keys()).await?.unchecked_into();
    for name in names.iter().filter_map(|name| name.as_string()) {
        if name.starts_with(SHELL_PREFIX) && name != current {
            wait(caches()?.delete(&name)).await?;
        }
    }
    wait(scope().clients().claim()).await?;
    // Orders queued while no worker ran may be waiting.
    if let Err(error) = deliver().await {
        web_sys::console::warn_2(&"delivery after activation failed".into(), &error);
    }
    Ok(())
}

pub async fn respond(request: Request, version: &str) -> Result<Response, JsValue> {
    let path = web_sys::Url::new(&request.url())?.pathname();
    if path == MENU_PATH {
        return stale_while_revalidate(request).await;
    }
    let navigation = request.mode() == RequestMode::Navigate;
    if navigation && is_server_page(&path) {
        return Ok(wait(scope().fetch_with_request(&request))
            .await?
            .unchecked_into());
    }
    let shell = open_cache(&shell_cache(version)).await?;
    let found = if navigation {
        // Every page of the widget is index.html; `?table=` is read by the app.
        wait(shell.match_with_str("/index.html")).await?
    } else {
        wait(shell.match_with_request(&request)).await?
    };
    if found.is_undefined() {
        return Ok(wait(scope().fetch_with_request(&request))
            .await?
            .unchecked_into());
    }
    if navigation {
        refresh_in_background(shell, "/index.html".into());
    }
    Ok(found.unchecked_into())
}

/// Pages the server renders itself (the kitchen display, staff pages): a
/// browser that once opened the widget must still reach them, not get the
/// widget's shell for every navigation.
fn is_server_page(path: &str) -> bool {
    ["/kitchen", "/admin"]
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
}

/// The cached menu at once, while the network refreshes the cache.
async fn stale_while_revalidate(request: Request) -> Result<Response, JsValue> {
    let cache = open_cache(API_CACHE).await?;
    let cached = wait(cache.match_with_request(&request)).await?;
    let network = fetch_and_store(cache, request);
    if cached.is_undefined() {
        return network.await;
    }
    spawn_local(async move {
        let _ = network.await;
    });
    Ok(cached.unchecked_into())
}

async fn fetch_and_store(cache: Cache, request: Request) -> Result<Response, JsValue> {
    let plain = Request::new_with_str(&request.url())?;
    let response: Response = wait(scope().fetch_with_request(&request))
        .await?
        .unchecked_into();
    if response.status() == 200 {
        wait(cache.put_with_request(&plain, &response.clone()?)).await?;
    }
    Ok(response)
}

fn refresh_in_background(cache: Cache, path: String) {
    spawn_local(async move {
        if let Ok(request) = Request::new_with_str(&path) {
            let _ = fetch_and_store(cache, request).await;
        }
    });
}

/// Delivers the outbox from the worker: the same loop and lock as the page.
/// Fails while orders are still waiting, so a `sync` event is retried by
/// the browser later.
pub async fn deliver() -> Result<(), JsValue> {
    let failed = |error: StoreError| JsValue::from_str(&error.to_string());
    let store = Store::open_indexed(schema::DB_NAME).await.map_err(failed)?;
    delivery::deliver(store.clone(), delivery::Trigger::NetworkBack)
        .await
        .map_err(failed)?;
    let waiting = pending_count(&store.outbox().await.map_err(failed)?.entries);
    if waiting > 0 {
        return Err(JsValue::from_str(&format!(
            "{waiting} order(s) still waiting to send"
        )));
    }
    Ok(())
}
