//! The router, assembled in one place.

use axum::Router;
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::routes::{health, menu};
use crate::state::AppState;

pub fn router(state: AppState, config: &Config) -> Router {
    let api = Router::new()
        .route("/api/v1/menu", get(menu::get_menu))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .with_state(state);
    let app = match &config.static_dir {
        Some(dir) => {
            let widget = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
            api.fallback_service(widget)
        }
        None => api,
    };
    app.layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}
