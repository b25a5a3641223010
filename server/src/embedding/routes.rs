//! `GET /api/v1/embed` (who may frame and command the widget, and the
//! brand) and `POST /api/v1/csp-reports` (browsers' policy violation reports).

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use tower_http::limit::RequestBodyLimitLayer;
use wendan_protocol::ProblemType;
use wendan_protocol::theme::EmbedConfig;

use super::violation::{self, ReportError};
use crate::limits::AddressKey;
use crate::limits::client_ip::client_ip;
use crate::limits::connections::Peer;
use crate::limits::rate::KeyedRate;
use crate::problem::ApiError;

pub const EMBED_PATH: &str = "/api/v1/embed";
pub const CSP_REPORTS_PATH: &str = "/api/v1/csp-reports";

/// Reports are small (a long sample is cut by the browser at 40
/// characters); anything bigger is not a report.
const MAX_REPORT_BYTES: usize = 8 * 1024;

/// Reports per minute from one address: a page with a broken policy sends a
/// few per load; a script sends thousands.
const REPORTS_PER_ADDRESS_PER_MINUTE: NonZeroU32 = NonZeroU32::new(60).expect("not 0");

/// Addresses remembered before the full buckets among them are forgotten.
const FORGET_ABOVE_ADDRESSES: usize = 4096;

/// Who may post reports how often.
#[derive(Clone)]
pub struct ReportLimits {
    per_address: Arc<KeyedRate<AddressKey>>,
    trust_forwarded_for: bool,
}

impl ReportLimits {
    pub fn new(trust_forwarded_for: bool) -> Self {
        Self {
            per_address: Arc::new(KeyedRate::new(REPORTS_PER_ADDRESS_PER_MINUTE)),
            trust_forwarded_for,
        }
    }
}

pub fn routes(config: EmbedConfig, limits: ReportLimits) -> Router {
    let reports = Router::new()
        .route(
            CSP_REPORTS_PATH,
            post(csp_report).layer(DefaultBodyLimit::max(MAX_REPORT_BYTES)),
        )
        // A report announced bigger is refused before it is read.
        .layer(RequestBodyLimitLayer::new(MAX_REPORT_BYTES))
        .with_state(limits);
    Router::new()
        .route(EMBED_PATH, get(embed_config))
        .with_state(Arc::new(config))
        .merge(reports)
}

/// The embedding configuration, fresh on every load (it changes with a restart).
#[utoipa::path(get, path = "/api/v1/embed", tag = "embedding", responses((status = 200, description = "Sites allowed to frame and command the widget, and the brand", body = EmbedConfig)))]
pub async fn embed_config(State(config): State<Arc<EmbedConfig>>) -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Json(config.as_ref().clone()),
    )
}

/// Logs each violation of a report (`application/csp-report` or
/// `application/reports+json`): a policy that blocks the widget is a bug to
/// see in the logs. Fields are logged escaped (see `violation`).
#[utoipa::path(
    post,
    path = "/api/v1/csp-reports",
    tag = "embedding",
    responses(
        (status = 204, description = "Report logged"),
        (status = 400, description = "malformed-request: not a violation report", body = wendan_protocol::Problem, content_type = "application/problem+json"),
        (status = 413, description = "payload-too-large: over 8 KiB", body = wendan_protocol::Problem, content_type = "application/problem+json"),
        (status = 415, description = "unsupported-media-type: not a report type", body = wendan_protocol::Problem, content_type = "application/problem+json"),
        (status = 429, description = "rate-limited: too many reports from this address", body = wendan_protocol::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn csp_report(
    State(limits): State<ReportLimits>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let address = AddressKey::of(client_ip(peer, &headers, limits.trust_forwarded_for));
    if limits.per_address.len() > FORGET_ABOVE_ADDRESSES {
        limits.per_address.forget_idle();
    }
    limits.per_address.check(&address).map_err(|limited| {
        ApiError::new(ProblemType::RateLimited)
            .detail("too many violation reports from this address")
            .retry_after(limited.retry_after_secs)
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let violations = violation::parse(&content_type, &body).map_err(|error| match error {
        ReportError::UnknownType => {
            ApiError::new(ProblemType::UnsupportedMediaType).detail(error.to_string())
        }
        ReportError::Unreadable(_) => {
            ApiError::new(ProblemType::MalformedRequest).detail(error.to_string())
        }
    })?;
    for violation in &violations {
        violation::log(violation);
    }
    Ok(StatusCode::NO_CONTENT)
}
