//! HTTP handlers, one module per resource.

pub mod admin;
pub mod health;
pub mod kitchen;
pub mod menu;
pub mod order_events;
pub mod orders;
pub mod payments;
pub mod table_cart;
pub mod tables;

use axum::middleware;
use axum::routing::MethodRouter;

use crate::json_body::require_json;
use crate::state::AppState;

/// A state-changing API endpoint: its methods take only JSON (see
/// `json_body`); a method it does not have is still 405.
pub(crate) fn json_only(endpoint: MethodRouter<AppState>) -> MethodRouter<AppState> {
    endpoint.route_layer(middleware::from_fn(require_json))
}
