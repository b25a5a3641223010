//! Wire types shared by the Wendan widget, its service worker and the server.
//!
//! Plain serde types and pure functions only (no async runtime, no UI, no I/O),
//! so the same code compiles for `wasm32-unknown-unknown` and native, and the
//! widget and server can never disagree about what an order is or costs.

pub mod device_clock;
pub mod fixtures;
pub mod idempotency_key;
pub mod limits;
pub mod localized;
pub mod menu;
pub mod money;
pub mod opening_hours;
pub mod order;
pub mod placed_order;
pub mod pricing;
pub mod problem;
pub mod service_call;
pub mod table_visit;
pub mod theme;
pub mod validation;

pub use idempotency_key::IdempotencyKey;
pub use localized::Localized;
pub use menu::Menu;
pub use order::OrderRequest;
pub use placed_order::{OrderStatus, PlacedOrder, StatusChange, StatusUpdate};
pub use problem::{Problem, ProblemType};
pub use service_call::{CallReason, CallRequest, ServiceCall};
pub use table_visit::{TableVisit, VisitCloser, VisitOpener};
