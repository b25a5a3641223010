//! Liveness and readiness for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;
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

/// Any other path under `/api/`: a problem document, not the widget's page.
pub async fn api_not_found() -> ApiError {
    ApiError::new(ProblemType::NotFound).detail("no such API endpoint")
}

/// A known path with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(ProblemType::MethodNotAllowed).detail("this endpoint does not take that method")
}
