//! `GET /api/v1/menu`: the menu, with a strong ETag so a diner's phone on a
//! weak signal re-downloads it only when it changed.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/api/v1/menu",
    tag = "diner",
    params(("If-None-Match" = Option<String>, Header, description = "ETag of the menu the client has")),
    responses(
        (status = 200, description = "The current menu; `ETag` is its version", body = wendan_protocol::Menu),
        (status = 304, description = "The client's menu is current"),
    )
)]
pub async fn get_menu(State(state): State<AppState>, request_headers: HeaderMap) -> Response {
    let published = state.menu();
    let etag = published.etag.as_str();
    let cache = [
        (header::ETAG, etag.to_owned()),
        (header::CACHE_CONTROL, "no-cache".to_owned()),
    ];
    if if_none_match(&request_headers, etag) {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [(header::CONTENT_TYPE, "application/json".to_owned())],
        published.json.clone(),
    )
        .into_response()
}

/// RFC 9110 §13.1.2: a list of entity tags or `*`; weak comparison.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == etag)
}
