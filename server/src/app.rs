//! The router, assembled in one place.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{any, get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::embedding;
use crate::metrics::{serve_metrics, track_latency};
use crate::openapi::serve_openapi;
use crate::routes::{health, kitchen, menu, order_events, orders};
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
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::new()))
}
