//! Every state-changing API request says it is JSON.
//!
//! A page on another origin can make a browser send a form or plain text
//! anywhere without asking, but `Content-Type: application/json` only
//! after a CORS preflight, which this server never grants. So the API's
//! state-changing endpoints (`/api/…`) take no other body type, and the
//! staff's body-less actions (the kitchen's undo, deleting a table) must
//! say so too: the kitchen's undo once took an empty form post from
//! another site. Admin pages (`/admin/…`) are HTML forms; `same_origin`
//! guards them. The violation report endpoint takes the browsers' report
//! types.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use wendan_protocol::ProblemType;

use crate::problem::ApiError;
use crate::same_origin::is_safe;

/// Answers 415 to a state-changing request that is not JSON (on the API's
/// endpoints, `app::json_only`).
pub async fn require_json(request: Request, next: Next) -> Response {
    if is_safe(request.method()) || is_json(request.headers()) {
        return next.run(request).await;
    }
    ApiError::new(ProblemType::UnsupportedMediaType)
        .detail("send `Content-Type: application/json` (and `{}` when there is nothing to say)")
        .into_response()
}

/// A JSON body whose refusal is the API's own problem document (400
/// `malformed-request`, 413, 415) rather than axum's plain text: the
/// extractor every JSON endpoint takes, as in axum's
/// `customize-extractor-error` example.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<T, S> FromRequest<S> for AppJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<T>::from_request(request, state).await?;
        Ok(AppJson(value))
    }
}

/// The body of a write that needs nothing but its path: a JSON object
/// (`{}`), whatever it holds. Taken so that what is not one is refused
/// (400) as the API documents, not accepted unread.
pub type AnyObject = serde_json::Map<String, serde_json::Value>;

/// `application/json`, with or without parameters (`; charset=utf-8`).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content_type(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, value.parse().expect("value"));
        headers
    }

    #[test]
    fn json_with_or_without_a_charset_is_json() {
        assert!(is_json(&content_type("application/json")));
        assert!(is_json(&content_type("Application/JSON; charset=utf-8")));
    }

    #[test]
    fn what_a_form_can_send_is_not() {
        for value in [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "text/plain",
            "application/jsonp",
            "application/csp-report",
        ] {
            assert!(!is_json(&content_type(value)), "{value}");
        }
        assert!(!is_json(&HeaderMap::new()));
    }
}
