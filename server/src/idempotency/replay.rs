//! Answering with a stored answer: the original, or a replay of it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use wendan_protocol::ProblemType;

use crate::problem::ApiError;
use crate::storage::StoredAnswer;

pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// The stored answer as a response; `replayed` marks a repeat. A different
/// body under the same key is refused instead.
pub fn answer(
    stored: StoredAnswer,
    fingerprint: &str,
    replayed: bool,
) -> Result<Response, ApiError> {
    if stored.fingerprint != fingerprint {
        return Err(ApiError::new(ProblemType::IdempotencyKeyReused).detail(
            "this Idempotency-Key was used for a different order; make a new key for a new order",
        ));
    }
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::CREATED);
    let location = format!("/api/v1/orders/{}", stored.order_id);
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        stored.body,
    )
        .into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, location);
    }
    if replayed {
        headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    Ok(response)
}
