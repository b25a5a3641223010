//! The peak-hour dashboard: what a restaurant owner looks at after a rush.
//!
//! `day` reads the trading day asked for; `counts` keeps the 409s, replays
//! and 503s per minute in memory and flushes them to storage; `figures` turns a day's stored records into per-minute
//! figures and percentiles; `chart` draws them as SVG; `demo_rush` makes a
//! plausible lunch rush for the demo.

pub mod chart;
pub mod counts;
pub mod day;
pub mod demo_rush;
pub mod figures;

pub use counts::{CountKind, IntakeCounts, MinuteCount};
pub use figures::{DayFigures, DayRecords, OrderTimes};
