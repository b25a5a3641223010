//! HTTP handlers, one module per resource.

pub mod admin;
pub mod health;
pub mod kitchen;
pub mod kitchen_controls;
pub mod kitchen_events;
pub mod kitchen_session;
pub mod menu;
pub mod order_events;
pub mod orders;
