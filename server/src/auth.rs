//! Bearer tokens for the kitchen: compared in constant time, never logged.
//! The kitchen display's pages use the session cookie instead (see
//! `kitchen::session`), since `EventSource` cannot send headers.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;
use wendan_protocol::ProblemType;

use crate::kitchen::session::cookie_header_matches;
use crate::problem::ApiError;
use crate::state::AppState;

/// Proof that the request carries the kitchen token.
pub struct Kitchen;

impl FromRequestParts<AppState> for Kitchen {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let presented = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim);
        let cookie = parts
            .headers
            .get(COOKIE)
            .and_then(|value| value.to_str().ok());
        match (&state.kitchen_token, presented) {
            (Some(expected), Some(presented)) if tokens_match(expected, presented) => Ok(Kitchen),
            (Some(expected), None)
                if cookie.is_some_and(|cookie| cookie_header_matches(cookie, expected)) =>
            {
                Ok(Kitchen)
            }
            (None, _) => Err(unauthorized(
                "no kitchen token is configured (--kitchen-token)",
            )),
            _ => Err(unauthorized(
                "send the kitchen token as `Authorization: Bearer …`",
            )),
        }
    }
}

pub fn tokens_match(expected: &str, presented: &str) -> bool {
    expected.as_bytes().ct_eq(presented.as_bytes()).into()
}

fn unauthorized(detail: &str) -> Response {
    let mut response = ApiError::new(ProblemType::Unauthorized)
        .detail(detail)
        .into_response();
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, "Bearer".parse().expect("static header"));
    response
}
