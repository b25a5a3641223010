//! The service worker's wasm: thin exports around `wendan::worker`, called by
//! `public/service-worker.js`. Kept out of the library so the page's wasm
//! does not carry them.

use wasm_bindgen::prelude::*;

fn main() {}

#[wasm_bindgen]
pub async fn on_install(version: String) -> Result<(), JsValue> {
    wendan::worker::precache(&version).await
}

#[wasm_bindgen]
pub async fn on_activate(version: String) -> Result<(), JsValue> {
    wendan::worker::activate(&version).await
}

#[wasm_bindgen]
pub async fn on_fetch(
    request: web_sys::Request,
    version: String,
) -> Result<web_sys::Response, JsValue> {
    wendan::worker::respond(request, &version).await
}

#[wasm_bindgen]
pub async fn deliver_outbox() -> Result<(), JsValue> {
    wendan::worker::deliver().await
}
