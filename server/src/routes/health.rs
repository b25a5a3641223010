//! Liveness and readiness for load balancers and orchestrators.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use wendan_protocol::ProblemType;

use crate::problem::ApiError;
use crate::state::AppState;
use crate::storage::Backend;

/// The process is up and answering.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The process is up", body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The server can take orders: its database answers.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, description = "The server can take orders", body = String)))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.storage.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                "not ready: the database does not answer"
            );
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// `GET /api/v1/reachable`: a phone whose orders wait out a network
/// failure asks whether to send them now (`wendan_outbox::probe`). Nothing
/// is read or written; while intake is at least half full the answer is 503
/// with `Retry-After`, so waiting phones come back at the server's pace.
#[utoipa::path(
    get,
    path = "/api/v1/reachable",
    tag = "diner",
    responses(
        (status = 204, description = "Reachable: send what waits"),
        (status = 503, description = "Busy: probe again after `Retry-After` seconds"),
    )
)]
pub async fn reachable(State(state): State<AppState>) -> Response {
    let no_store = (CACHE_CONTROL, HeaderValue::from_static("no-store"));
    match state.admission.pressure() {
        None => (StatusCode::NO_CONTENT, [no_store]).into_response(),
        Some(busy) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [
                no_store,
                (RETRY_AFTER, HeaderValue::from(busy.retry_after_secs)),
            ],
        )
            .into_response(),
    }
}

/// Any other path under `/api/`: a problem document, not the widget's page.
pub async fn api_not_found() -> ApiError {
    ApiError::new(ProblemType::NotFound).detail("no such API endpoint")
}

/// A known path with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(ProblemType::MethodNotAllowed).detail("this endpoint does not take that method")
}
