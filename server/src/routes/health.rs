//! Liveness and readiness for load balancers and orchestrators.

use axum::http::StatusCode;

/// The process is up and answering.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The server can take orders.
pub async fn readyz() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ready")
}
