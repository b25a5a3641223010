//! Exactly-once order intake by `Idempotency-Key` (IETF draft, Stripe's semantics).
//!
//! - A key is unique per device (`storage::ScopedKey`): the same key from
//!   another device is another order, so a key that leaks can neither
//!   replay nor block the diner's order.
//! - The first request for a key that is accepted stores its answer with the
//!   order, in one transaction; the same key and body later get that answer
//!   again, marked `Idempotent-Replayed: true`, also after a restart.
//! - The same key with a different body is refused (422): a key names one order.
//! - The same key while its first request is still being handled is refused
//!   (409), so a retry can never race its original into a second order.
//! - A request refused before execution (invalid, expired, closed, prices
//!   changed) stores nothing: the key stays free, as with Stripe.

mod fingerprint;
mod in_flight;
mod replay;

pub use fingerprint::fingerprint;
pub use in_flight::{Claim, InFlight};
pub use replay::{REPLAYED_HEADER, answer};
