//! Wendan's diner widget: browse the menu and order, on any network.
//!
//! Plain domain first: `cart` (priced by the shared protocol code), the
//! outbox (crate `wendan-outbox`), `profile` (what is remembered between
//! orders), `language` and `i18n`. Then the browser edges: `store`
//! (IndexedDB, localStorage fallback), `delivery` (the one delivery loop,
//! with its lock, clock and HTTP attempt), `api` (the menu).
//! Then the UI: `widget` (shared signals), `actions`, `components`, `app`.

pub mod actions;
pub mod api;
pub mod app;
pub mod cart;
pub mod components;
pub mod delivery;
pub mod embed;
pub mod i18n;
pub mod language;
pub mod live_status;
pub mod profile;
pub mod ready_notice;
pub mod service_worker;
pub mod store;
pub mod widget;
pub mod worker;

pub use app::App;
