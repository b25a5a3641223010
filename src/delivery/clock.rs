//! The device clock and random source, for windows and workers alike.

use time::OffsetDateTime;
use wendan_outbox::Random;

/// Now, by the device clock (which may be wrong; the server measures an
/// order's age as the difference of two readings of this same clock).
pub fn now() -> OffsetDateTime {
    let nanos = (js_sys::Date::now() * 1_000_000.0) as i128;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Jitter from `Math.random`: spreading retries needs no cryptographic quality.
pub struct BrowserRandom;

impl Random for BrowserRandom {
    fn unit(&mut self) -> f64 {
        js_sys::Math::random()
    }
}

/// A fresh idempotency key: a UUID v4 from `crypto.getRandomValues`.
pub fn new_idempotency_key() -> Option<wendan_protocol::IdempotencyKey> {
    let mut bytes = [0u8; 16];
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    let crypto: web_sys::Crypto = wasm_bindgen::JsCast::dyn_into(crypto).ok()?;
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    let uuid = uuid::Builder::from_random_bytes(bytes).into_uuid();
    wendan_protocol::IdempotencyKey::new(&uuid.hyphenated().to_string()).ok()
}
