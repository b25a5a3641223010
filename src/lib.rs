//! Wendan's diner widget: browse the menu and order, on any network.
//!
//! `app` assembles the page; `api` talks to the server; `components` are the
//! pieces of UI; `language` decides what language the diner reads.

pub mod api;
pub mod app;
pub mod components;
pub mod language;

pub use app::App;
