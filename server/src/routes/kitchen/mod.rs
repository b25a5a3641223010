//! The kitchen display's routes, all in one place: its page (`page`), the
//! board and moving orders along (`orders`), its live stream (`events`), its
//! switches (`controls`), its open tables (`tables`) and its login (`session`). The domain they draw on
//! (board, buttons, age timers, words) is plain Rust in `crate::kitchen`.

pub mod controls;
pub mod events;
pub mod orders;
pub mod page;
pub mod session;
pub mod tables;

use axum::Router;
use axum::routing::{get, post, put};

use super::json_only;
use crate::state::AppState;

/// Every route of the kitchen display and its API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/kitchen/orders", get(orders::open_orders))
        .route(
            "/api/v1/kitchen/orders/{id}/status",
            json_only(post(orders::change_status)),
        )
        .route("/api/v1/kitchen/board", get(orders::kitchen_board))
        .route("/api/v1/kitchen/undo", json_only(post(orders::undo_bump)))
        .route("/api/v1/kitchen/events", get(events::kitchen_events))
        .route(
            "/api/v1/kitchen/intake",
            json_only(put(controls::set_intake)),
        )
        .route(
            "/api/v1/kitchen/items/{id}/sold-out",
            json_only(put(controls::set_sold_out)),
        )
        .route(
            "/api/v1/kitchen/session",
            json_only(post(session::log_in).delete(session::log_out)),
        )
        .route(
            "/api/v1/kitchen/tables/{table}/open",
            json_only(post(tables::open_table)),
        )
        .route(
            "/api/v1/kitchen/visits/{id}/clear",
            json_only(post(tables::clear)),
        )
        .route(
            "/api/v1/kitchen/visits/{id}/move",
            json_only(post(tables::move_to)),
        )
        .route(
            "/api/v1/kitchen/visits/{id}/settle",
            json_only(post(tables::settle)),
        )
        .route(
            "/api/v1/kitchen/calls/{id}/clear",
            json_only(post(tables::clear_call)),
        )
        .route("/kitchen", get(page::page))
        .route("/kitchen/kitchen.js", get(page::script))
        .route("/kitchen/kitchen.css", get(page::style))
}
