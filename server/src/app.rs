//! The router, assembled in one place.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{any, get, post, put};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::embedding;
use crate::kitchen::page;
use crate::metrics::{serve_metrics, track_latency};
use crate::openapi::serve_openapi;
use crate::routes::{
    admin, health, kitchen, kitchen_controls, kitchen_events, kitchen_session, menu, order_events,
    orders,
};
use crate::state::AppState;

pub fn router(state: AppState, config: &Config) -> anyhow::Result<Router> {
    let api = Router::new()
        .route("/api/v1/menu", get(menu::get_menu))
        .route(
            "/api/v1/orders",
            post(orders::post_order).layer(DefaultBodyLimit::max(orders::MAX_BODY_BYTES)),
        )
        .route("/api/v1/orders/{id}", get(orders::get_order))
        .route(
            "/api/v1/orders/{id}/events",
            get(order_events::order_events),
        )
        .route("/api/v1/kitchen/orders", get(kitchen::open_orders))
        .route(
            "/api/v1/kitchen/orders/{id}/status",
            post(kitchen::change_status),
        )
        .route("/api/v1/kitchen/board", get(kitchen::kitchen_board))
        .route("/api/v1/kitchen/undo", post(kitchen::undo_bump))
        .route(
            "/api/v1/kitchen/events",
            get(kitchen_events::kitchen_events),
        )
        .route("/api/v1/kitchen/intake", put(kitchen_controls::set_intake))
        .route(
            "/api/v1/kitchen/items/{id}/sold-out",
            put(kitchen_controls::set_sold_out),
        )
        .route(
            "/api/v1/kitchen/session",
            post(kitchen_session::log_in).delete(kitchen_session::log_out),
        )
        .route("/kitchen", get(page::page))
        .route("/kitchen/kitchen.js", get(page::script))
        .route("/kitchen/kitchen.css", get(page::style))
        .merge(admin_routes())
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(serve_metrics))
        .route("/api/openapi.json", get(serve_openapi))
        .route("/api/{*rest}", any(health::api_not_found))
        .method_not_allowed_fallback(health::method_not_allowed)
        .route_layer(middleware::from_fn_with_state(state.clone(), track_latency))
        .with_state(state)
        .merge(embedding::routes::routes(config.embed.published()));
    let app = match &config.static_dir {
        Some(dir) => {
            // `cargo xtask` writes .br and .gz copies next to each file.
            let index = ServeFile::new(dir.join("index.html"))
                .precompressed_br()
                .precompressed_gzip();
            let widget = ServeDir::new(dir)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(index);
            api.fallback_service(widget)
        }
        None => api,
    };
    let app = embedding::harden(app, &config.embed.frame_ancestors)?;
    Ok(app
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(CatchPanicLayer::new()))
}

/// A request's trace span: its path but never its query, which may carry
/// `?token=` on the admin's first visit (tokens are never logged).
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    tracing::debug_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        version = ?request.version(),
    )
}

/// The admin's pages and API (see `routes::admin`).
fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin::dashboard::page_get))
        .route("/admin/admin.css", get(admin::stylesheet))
        .route(
            "/admin/login",
            get(admin::session::login_page).post(admin::session::log_in),
        )
        .route("/admin/logout", post(admin::session::log_out))
        .route(
            "/admin/tables",
            get(admin::tables::page_get).post(admin::tables::page_put),
        )
        .route(
            "/admin/tables/{id}/delete",
            post(admin::tables::page_delete),
        )
        .route("/api/v1/admin/dashboard", get(admin::dashboard::api))
        .route("/api/v1/admin/tables", get(admin::tables::list))
        .route(
            "/api/v1/admin/tables/{id}",
            put(admin::tables::put).delete(admin::tables::delete),
        )
}
