//! HTTP handlers, one module per resource.

pub mod health;
pub mod menu;
pub mod orders;
