//! Logging in to the admin pages. A browser cannot send a bearer header on a
//! plain navigation, so the token is exchanged once for a session cookie:
//! either typed into `/admin/login`, or given as `?token=` on any admin page
//! (the link `cargo xtask demo` prints), which redirects at once to the same
//! page without it, so the token does not stay in the address bar or history.
//! The session is a random server-side one (`auth::session`) that lasts 12
//! hours and ends on logout; its cookie is HttpOnly and SameSite=Strict (so
//! no other site can make a browser post forms with it).

use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::header::{LOCATION, RETRY_AFTER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use super::layout::{Section, page, words};
use crate::auth::{Refusal, Scope};
use crate::language::{self, Language};
use crate::limits::connections::Peer;
use crate::state::AppState;

/// Proof that a page request is the admin's; otherwise the answer is a
/// redirect, to log in or to drop `?token=` from the address.
pub struct AdminPage;

impl FromRequestParts<AppState> for AdminPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let query = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map(|Query(pairs)| pairs)
            .unwrap_or_default();
        let lang = language::from_query(
            query
                .iter()
                .find(|(key, _)| key == "lang")
                .map(|(_, value)| value.as_str()),
        );
        let (tokens, rest): (Vec<_>, Vec<_>) =
            query.into_iter().partition(|(key, _)| key == "token");
        let rest = serde_urlencoded::to_string(&rest).unwrap_or_default();
        let here = match rest.as_str() {
            "" => parts.uri.path().to_owned(),
            rest => format!("{}?{rest}", parts.uri.path()),
        };
        let ConnectInfo(Peer(peer)) = ConnectInfo::<Peer>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let address = state.gate.client_address(peer, &parts.headers);
        let refusal = match tokens.first() {
            Some((_, token)) => match state.gate.log_in(Scope::Admin, address, token).await {
                Ok(cookie) => return Err(see_other(&here, Some(cookie))),
                Err(refusal) => refusal,
            },
            None => match state
                .gate
                .authorize(Scope::Admin, address, &parts.headers)
                .await
            {
                Ok(()) => return Ok(AdminPage),
                Err(refusal) => refusal,
            },
        };
        let forget = match refusal {
            Refusal::HeldBack(limited) => {
                return Err(login_refused(
                    lang,
                    &here,
                    Notice::HeldBack(limited.retry_after_secs),
                ));
            }
            Refusal::Wrong { forget, .. } => forget,
            Refusal::Locked(_) | Refusal::Missing(_) => None,
            failed @ (Refusal::Storage(_) | Refusal::Random(_)) => {
                return Err(failed.into_response());
            }
        };
        let next = serde_urlencoded::to_string([("next", here.as_str())]).unwrap_or_default();
        Err(see_other(&format!("/admin/login?{next}"), forget))
    }
}

/// 303 to `location` (a local path), optionally setting a cookie.
pub fn see_other(location: &str, cookie: Option<HeaderValue>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, location);
    }
    if let Some(cookie) = cookie {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

/// Only an admin page is a place to go back to after logging in.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(next) if next.starts_with("/admin") && !next.starts_with("//") => next,
        _ => "/admin",
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
}

/// `GET /admin/login`
pub async fn login_page(Query(query): Query<LoginQuery>) -> Response {
    let lang = login_language(query.lang.as_deref(), query.next.as_deref());
    login_form(lang, safe_next(query.next.as_deref()), Notice::None).into_response()
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    token: String,
    next: Option<String>,
    lang: Option<String>,
}

/// `POST /admin/login`
pub async fn log_in(
    State(state): State<AppState>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let lang = language::from_query(form.lang.as_deref());
    let address = state.gate.client_address(peer, &headers);
    match state.gate.log_in(Scope::Admin, address, &form.token).await {
        Ok(cookie) => see_other(next, Some(cookie)),
        Err(Refusal::HeldBack(limited)) => {
            login_refused(lang, next, Notice::HeldBack(limited.retry_after_secs))
        }
        Err(Refusal::Wrong { .. } | Refusal::Locked(_) | Refusal::Missing(_)) => {
            login_refused(lang, next, Notice::WrongToken)
        }
        Err(failed @ (Refusal::Storage(_) | Refusal::Random(_))) => failed.into_response(),
    }
}

/// `POST /admin/logout`: ends the session on every replica.
pub async fn log_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.gate.log_out(Scope::Admin, &headers).await {
        Ok(forget) => see_other("/admin/login", Some(forget)),
        Err(refusal) => refusal.into_response(),
    }
}

/// What the login form says above the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    None,
    WrongToken,
    /// Too many wrong tokens from this address: seconds until it is heard.
    HeldBack(u64),
}

/// The login form again, answered 401 (wrong token) or 429 (held back).
fn login_refused(lang: Language, next: &str, notice: Notice) -> Response {
    let form = login_form(lang, next, notice);
    match notice {
        Notice::HeldBack(retry_after_secs) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(RETRY_AFTER, HeaderValue::from(retry_after_secs))],
            form,
        )
            .into_response(),
        Notice::WrongToken | Notice::None => (StatusCode::UNAUTHORIZED, form).into_response(),
    }
}

fn login_form(lang: Language, next: &str, notice: Notice) -> maud::Markup {
    let words = words(lang);
    let alert = match notice {
        Notice::None => None,
        Notice::WrongToken => Some(words.wrong_token),
        Notice::HeldBack(_) => Some(words.held_back),
    };
    page(
        lang,
        Section::Login,
        words.log_in,
        "",
        html! {
            h1 { (words.log_in) }
            form class="login" method="post" action="/admin/login" {
                p { (words.login_hint) }
                @if let Some(alert) = alert {
                    p class="error" role="alert" { (alert) }
                }
                label for="token" { (words.token) }
                input id="token" name="token" type="password" autocomplete="current-password" required autofocus;
                input type="hidden" name="next" value=(next);
                input type="hidden" name="lang" value=(lang.tag());
                button type="submit" { (words.log_in) }
            }
        },
    )
}

/// The login page's language: its own `?lang=`, else that of the page the
/// admin was sent from (`next`).
fn login_language(lang: Option<&str>, next: Option<&str>) -> Language {
    let from_next = || {
        let (_, query) = next?.split_once('?')?;
        query.split('&').find_map(|pair| pair.strip_prefix("lang="))
    };
    language::from_query(lang.or_else(from_next))
}
