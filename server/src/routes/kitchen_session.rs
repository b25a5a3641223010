//! `POST /api/v1/kitchen/session`: the display trades the kitchen token for
//! a session cookie (see `kitchen::session`); `DELETE` logs it out.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wendan_protocol::{Problem, ProblemType};

use crate::auth::tokens_match;
use crate::kitchen::session::set_cookie;
use crate::problem::ApiError;
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
pub async fn log_in(
    State(state): State<AppState>,
    login: Result<Json<Login>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(login) = login?;
    match &state.kitchen_token {
        Some(expected) if tokens_match(expected, login.token.trim()) => Ok((
            StatusCode::NO_CONTENT,
            [(SET_COOKIE, set_cookie(Some(expected)))],
        )
            .into_response()),
        Some(_) => Err(ApiError::new(ProblemType::Unauthorized).detail("wrong kitchen token")),
        None => Err(ApiError::new(ProblemType::Unauthorized)
            .detail("no kitchen token is configured (--kitchen-token)")),
    }
}

/// `DELETE /api/v1/kitchen/session`: forgets the cookie on this device.
#[utoipa::path(
    delete,
    path = "/api/v1/kitchen/session",
    tag = "kitchen",
    responses(
        (status = 204, description = "Logged out: the session cookie is cleared"),
    )
)]
pub async fn log_out() -> Response {
    (StatusCode::NO_CONTENT, [(SET_COOKIE, set_cookie(None))]).into_response()
}
