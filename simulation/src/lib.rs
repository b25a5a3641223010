//! The thundering herd, simulated: a mall's Wi-Fi comes back and 100,000
//! phones' queued orders all become sendable at the same instant. Every
//! phone retries with the widget's own backoff code (wendan-outbox) against a
//! model of the server's intake, which sheds load with 503 + `Retry-After`.
//!
//! Deterministic discrete-event simulation: a seeded SplitMix64 draws the
//! jitter, so the same seed gives the same numbers on every machine.
//!
//! - [`strategy`]: the four retry strategies compared.
//! - [`server`]: the server model (capacity, bounded admission, shedding).
//! - [`herd`]: the event loop and what it measures.
//! - [`outage`]: a server away for a while with no `online` event, with and
//!   without the reachability probe.
//! - [`report`]: the Markdown table; [`plot`]: the SVG of offered load.

pub mod herd;
pub mod outage;
pub mod plot;
pub mod report;
pub mod server;
pub mod strategy;

pub use herd::{Config, Run, simulate, simulate_all};
pub use outage::{Notice, OutageConfig, OutageRun, simulate_outage, simulate_outages};
pub use strategy::Strategy;

/// Simulated time, in microseconds since the Wi-Fi came back.
pub type Micros = u64;

pub const MICROS_PER_SEC: Micros = 1_000_000;
