//! One log line per request, tied to its answer by a request id.
//!
//! Every request gets an id: the proxy's (`X-Request-Id`, e.g. nginx's
//! `$request_id`) when it is a plain token, else a new random one. The id is
//! returned as `X-Request-Id`, put into problem documents as their
//! `instance` (`urn:wendan:request:…`, see `problem.rs`), and carried by the
//! `request` span, so a diner's screenshot of an error leads to its log
//! lines. The line names the route template (`/api/v1/orders/{id}`), never
//! the raw path or its query, which may carry a token.

use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::metrics::method_label;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The longest id taken from a proxy.
const MAX_ID_CHARS: usize = 64;

tokio::task_local! {
    static CURRENT: RequestId;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    fn random() -> Self {
        RequestId(uuid::Uuid::new_v4().simple().to_string())
    }

    /// A proxy's id, if it is a plain token that cannot forge a log line.
    fn from_header(value: &HeaderValue) -> Option<Self> {
        let text = value.to_str().ok()?;
        let plain = !text.is_empty()
            && text.len() <= MAX_ID_CHARS
            && text
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
        plain.then(|| RequestId(text.to_owned()))
    }

    /// The id of the request being answered, if any.
    pub fn current() -> Option<RequestId> {
        CURRENT.try_with(Clone::clone).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The route template a request matched, set by `metrics::track_latency`
/// (which runs inside the router, where the template is known).
#[derive(Debug, Clone)]
pub struct RouteTemplate(pub String);

/// The outermost layer: names the request, answers with its id, logs it.
pub async fn log_request(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(RequestId::from_header)
        .unwrap_or_else(RequestId::random);
    let method = method_label(request.method());
    let started = Instant::now();
    let span = tracing::info_span!("request", id = %id.as_str());
    let mut response = CURRENT
        .scope(id.clone(), next.run(request))
        .instrument(span.clone())
        .await;
    let route = response
        .extensions()
        .get::<RouteTemplate>()
        .map_or("other", |route| route.0.as_str());
    span.in_scope(|| {
        tracing::info!(
            method,
            route,
            status = response.status().as_u16(),
            latency_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request"
        );
    });
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxys_plain_id_is_kept_and_anything_else_replaced() {
        let kept = RequestId::from_header(&HeaderValue::from_static("4f0c2a-nginx_1"));
        assert_eq!(kept.map(|id| id.0), Some("4f0c2a-nginx_1".to_owned()));
        for bad in ["", "a b", "a\"b", "id;drop", &"x".repeat(MAX_ID_CHARS + 1)] {
            let value = HeaderValue::from_str(bad).expect("a header value");
            assert_eq!(RequestId::from_header(&value), None, "{bad:?}");
        }
    }

    #[test]
    fn random_ids_differ() {
        assert_ne!(RequestId::random(), RequestId::random());
    }
}
