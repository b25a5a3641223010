//! Liveness and readiness for load balancers and orchestrators.

use axum::http::StatusCode;

/// The process is up and answering.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The process is up", body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The server can take orders.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, description = "The server can take orders", body = String)))]
pub async fn readyz() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ready")
}
