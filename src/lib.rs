//! Wendan's diner widget: browse the menu and order, on any network.
//!
//! The modules form layers. A module imports only from the layers below
//! it (and from its own folder), never from a layer above, so there is no
//! import circle; `cargo xtask layers` fails on one.
//!
//! 1. Leaves, which import nothing above them: `url` (the page's `?`
//!    parameters), `errors` (every failure a diner is told about), `i18n`
//!    (the words, for those errors too, from the product's one dictionary
//!    per language, the crate `wendan-words`), `profile` (what is
//!    remembered between orders) and `cart` (priced by the shared protocol
//!    code; the outbox itself is the crate `wendan-outbox`).
//! 2. Browser edges: `api` (the server's menu and embedding settings),
//!    `store` (IndexedDB, localStorage fallback), `delivery` (the one
//!    delivery loop, with its lock, clock and HTTP attempt), and the service
//!    worker's two sides, `service_worker` (the page's) and `worker` (its own).
//! 3. State: `widget`, the shared signals around the plain values.
//! 4. Actions on that state, each using only those before it: `embed` (host
//!    pages and mini-programs), `ready_notice` (telling the diner an order
//!    moved on), `actions` (load, refresh, save, place, deliver),
//!    `payment` (paying for an order, and what the phone knows of it),
//!    `live_status` (following the kitchen) and `table_service` (calls for
//!    staff, kept until the restaurant has them).
//! 5. Components: `components` (one piece of the page per file), and `app`,
//!    which puts them together and starts the actions.

// 1. Leaves
pub mod cart;
pub mod errors;
pub mod i18n;
pub mod profile;
pub mod url;

// 2. Browser edges
pub mod api;
pub mod delivery;
pub mod device;
pub mod service_worker;
pub mod store;
pub mod worker;

// 3. State
pub mod widget;

// 4. Actions
pub mod actions;
pub mod embed;
pub mod live_status;
pub mod payment;
pub mod ready_notice;
pub mod table_cart;
pub mod table_service;

// 5. Components
pub mod app;
pub mod components;

pub use app::App;
