//! `POST /api/v1/kitchen/session`: the display trades the kitchen token for
//! a session cookie (see `auth::session`); `DELETE` logs it out.

use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wendan_protocol::Problem;

use crate::auth::{Refusal, Scope};
use crate::json_body::AppJson;
use crate::limits::connections::Peer;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Login {
    pub token: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/kitchen/session",
    tag = "kitchen",
    request_body = Login,
    responses(
        (status = 204, description = "Logged in: an HttpOnly session cookie is set"),
        (status = 400, description = "malformed-request: not a JSON login", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
    )
)]
/// Like every operation that answers 401, also 429 for an address that sent
/// too many wrong tokens (added in `openapi`).
pub async fn log_in(
    State(state): State<AppState>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    headers: HeaderMap,
    AppJson(login): AppJson<Login>,
) -> Result<Response, Response> {
    let address = state.gate.client_address(peer, &headers);
    let cookie = state
        .gate
        .log_in(Scope::Kitchen, address, &login.token)
        .await
        .map_err(Refusal::into_response)?;
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cookie)]).into_response())
}

/// `DELETE /api/v1/kitchen/session`: ends the session on every replica and
/// clears the cookie on this device.
#[utoipa::path(
    delete,
    path = "/api/v1/kitchen/session",
    tag = "kitchen",
    responses(
        (status = 204, description = "Logged out: the session is ended and its cookie cleared"),
    )
)]
pub async fn log_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.gate.log_out(Scope::Kitchen, &headers).await {
        Ok(forget) => (StatusCode::NO_CONTENT, [(SET_COOKIE, forget)]).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}
