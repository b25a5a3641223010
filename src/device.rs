//! The phone's own random id: it scopes the idempotency keys of its orders
//! and calls, and names it at a table's shared cart. Below the actions, so
//! every module that sends something can read it.

use gloo_storage::{LocalStorage, Storage};

use crate::delivery::clock;

const DEVICE_ID_KEY: &str = "wendan.device";

/// A random id for this phone, kept in localStorage (not personal data).
pub fn device_id() -> String {
    if let Ok(id) = LocalStorage::get::<String>(DEVICE_ID_KEY) {
        return id;
    }
    let id = clock::new_idempotency_key()
        .map(|key| key.to_string())
        .unwrap_or_else(|| "unknown-device".into());
    let _ = LocalStorage::set(DEVICE_ID_KEY, &id);
    id
}
