//! The outbox: every order the diner placed, until the restaurant has it.
//!
//! Plain Rust with an injected clock and random source, so the same code
//! runs in the page, in the service worker and in native tests and the
//! thundering-herd simulation, and behaves identically in each.
//!
//! - [`entry`]: one queued order and its delivery state machine.
//! - [`outcome`]: what an HTTP attempt's answer means for the order.
//! - [`backoff`]: when to try again (capped exponential, full jitter).
//! - [`probe`]: when a phone asks whether the server is reachable again.
//! - [`schedule`]: which orders are due now, each independently.
//! - [`random`]: the random source the schedule draws jitter from.
//! - `stored_state`: how a delivery state is read back from storage.

pub mod backoff;
pub mod entry;
pub mod outcome;
pub mod probe;
pub mod random;
pub mod schedule;
mod stored_state;

pub use backoff::{Backoff, Jitter};
pub use entry::{DeliveryState, OutboxEntry, Stage};
pub use outcome::Outcome;
pub use random::Random;
