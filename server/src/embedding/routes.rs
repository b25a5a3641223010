//! `GET /api/v1/embed` (who may frame and command the widget, and the
//! brand) and `POST /api/v1/csp-reports` (browsers' policy violation reports).

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use wendan_protocol::theme::EmbedConfig;

pub const EMBED_PATH: &str = "/api/v1/embed";
pub const CSP_REPORTS_PATH: &str = "/api/v1/csp-reports";

/// Reports are small; anything bigger is not a report.
const MAX_REPORT_BYTES: usize = 16 * 1024;

pub fn routes(config: EmbedConfig) -> Router {
    Router::new()
        .route(EMBED_PATH, get(embed_config))
        .route(
            CSP_REPORTS_PATH,
            post(csp_report).layer(DefaultBodyLimit::max(MAX_REPORT_BYTES)),
        )
        .with_state(Arc::new(config))
}

/// The embedding configuration, fresh on every load (it changes with a restart).
#[utoipa::path(get, path = "/api/v1/embed", tag = "embedding", responses((status = 200, description = "Sites allowed to frame and command the widget, and the brand", body = EmbedConfig)))]
pub async fn embed_config(State(config): State<Arc<EmbedConfig>>) -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Json(config.as_ref().clone()),
    )
}

/// Logs a violation (`application/csp-report` or `application/reports+json`):
/// a policy that blocks the widget is a bug to see in the logs.
#[utoipa::path(post, path = "/api/v1/csp-reports", tag = "embedding", responses((status = 204, description = "Report logged")))]
pub async fn csp_report(body: Bytes) -> StatusCode {
    let report = String::from_utf8_lossy(&body);
    tracing::warn!(target: "wendan_server::csp", report = %report, "CSP violation reported");
    StatusCode::NO_CONTENT
}
