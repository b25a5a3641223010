//! Bearer tokens for the kitchen and the admin: compared in constant time,
//! never logged. A browser cannot send a bearer header on a plain navigation
//! (nor `EventSource` at all), so the pages also accept a session cookie that
//! holds a digest of the token: the admin's is set by `/admin/login`, the
//! kitchen display's by `kitchen::session`; both HttpOnly, SameSite=Strict.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;
use wendan_protocol::ProblemType;

use crate::kitchen::session;
use crate::problem::ApiError;
use crate::state::AppState;

/// Proof that the request carries the kitchen token.
pub struct Kitchen;

impl FromRequestParts<AppState> for Kitchen {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match (&state.kitchen_token, bearer(parts)) {
            (Some(expected), Some(presented)) if tokens_match(expected, presented) => Ok(Kitchen),
            (Some(expected), None)
                if cookie(parts, session::COOKIE).is_some_and(|presented| {
                    tokens_match(&session::session_value(expected), presented)
                }) =>
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

/// Proof that the request carries the admin token, as a bearer header or
/// as the admin session cookie.
pub struct Admin;

/// The admin session cookie's name.
pub const ADMIN_COOKIE: &str = "wendan_admin";

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(expected) = &state.admin_token else {
            return Err(unauthorized("no admin token is configured (--admin-token)"));
        };
        let by_header = bearer(parts).is_some_and(|presented| tokens_match(expected, presented));
        let by_cookie = cookie(parts, ADMIN_COOKIE)
            .is_some_and(|presented| tokens_match(&session_value("admin", expected), presented));
        if by_header || by_cookie {
            Ok(Admin)
        } else {
            Err(unauthorized(
                "send the admin token as `Authorization: Bearer …`, or log in at /admin/login",
            ))
        }
    }
}

/// What a session cookie holds for `token`: a SHA-256 of the token, salted
/// with the cookie's `scope` (`admin`, `kitchen`), in hex. The cookie is
/// cookie-safe text, the token itself is never stored in browsers, one
/// token's kitchen cookie does not open the admin, and a new token ends
/// every session.
pub fn session_value(scope: &str, token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::new()
        .chain_update(format!("wendan {scope} session\0").as_bytes())
        .chain_update(token.as_bytes())
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Constant-time comparison: how long it takes says nothing about the token.
pub fn tokens_match(expected: &str, presented: &str) -> bool {
    expected.as_bytes().ct_eq(presented.as_bytes()).into()
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
}

fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
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
