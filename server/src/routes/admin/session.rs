//! Logging in to the admin pages. A browser cannot send a bearer header on a
//! plain navigation, so the token is exchanged once for a session cookie:
//! either typed into `/admin/login`, or given as `?token=` on any admin page
//! (the link `cargo xtask demo` prints), which redirects at once to the same
//! page without it, so the token does not stay in the address bar or history.
//! The cookie holds a salted SHA-256 of the token (`auth::session_value`), is HttpOnly and SameSite=Strict (so
//! no other site can make a browser post forms with it), and lasts 12 hours.

use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use super::layout::{Section, page};
use super::words::Lang;
use crate::auth::{ADMIN_COOKIE, Admin, session_value, tokens_match};
use crate::state::AppState;

/// How long a login lasts.
const SESSION_SECS: u32 = 12 * 60 * 60;

/// Proof that a page request is the admin's; otherwise the answer is a
/// redirect, to log in or to drop `?token=` from the address.
pub struct AdminPage;

impl FromRequestParts<AppState> for AdminPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let query = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map(|Query(pairs)| pairs)
            .unwrap_or_default();
        let (tokens, rest): (Vec<_>, Vec<_>) =
            query.into_iter().partition(|(key, _)| key == "token");
        let rest = serde_urlencoded::to_string(&rest).unwrap_or_default();
        let here = match rest.as_str() {
            "" => parts.uri.path().to_owned(),
            rest => format!("{}?{rest}", parts.uri.path()),
        };
        if let (Some((_, token)), Some(expected)) = (tokens.first(), &state.admin_token)
            && tokens_match(expected, token)
        {
            return Err(see_other(&here, Some(login_cookie(state, expected))));
        }
        if Admin::from_request_parts(parts, state).await.is_ok() && tokens.is_empty() {
            return Ok(AdminPage);
        }
        let next = serde_urlencoded::to_string([("next", here.as_str())]).unwrap_or_default();
        Err(see_other(&format!("/admin/login?{next}"), None))
    }
}

fn login_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = if state.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{ADMIN_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECS}{secure}",
        session_value("admin", token)
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
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
    let lang = Lang::from_query(query.lang.as_deref()).or_from_next(query.next.as_deref());
    login_form(lang, safe_next(query.next.as_deref()), false).into_response()
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    token: String,
    next: Option<String>,
    lang: Option<String>,
}

/// `POST /admin/login`
pub async fn log_in(State(state): State<AppState>, Form(form): Form<LoginForm>) -> Response {
    let next = safe_next(form.next.as_deref());
    match &state.admin_token {
        Some(expected) if tokens_match(expected, form.token.trim()) => {
            see_other(next, Some(login_cookie(&state, expected)))
        }
        _ => {
            let lang = Lang::from_query(form.lang.as_deref());
            (StatusCode::UNAUTHORIZED, login_form(lang, next, true)).into_response()
        }
    }
}

/// `POST /admin/logout`
pub async fn log_out() -> Response {
    let expired = format!("{ADMIN_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    see_other("/admin/login", HeaderValue::from_str(&expired).ok())
}

fn login_form(lang: Lang, next: &str, wrong: bool) -> maud::Markup {
    let words = lang.words();
    page(
        lang,
        Section::Login,
        words.log_in,
        "",
        html! {
            h1 { (words.log_in) }
            form class="login" method="post" action="/admin/login" {
                p { (words.login_hint) }
                @if wrong {
                    p class="error" role="alert" { (words.wrong_token) }
                }
                label for="token" { (words.token) }
                input id="token" name="token" type="password" autocomplete="current-password" required autofocus;
                input type="hidden" name="next" value=(next);
                input type="hidden" name="lang" value=(lang.code());
                button type="submit" { (words.log_in) }
            }
        },
    )
}

impl Lang {
    /// The language of the page the admin was sent from, if no `?lang=`.
    fn or_from_next(self, next: Option<&str>) -> Self {
        match next {
            Some(next) if next.contains("lang=en") => Lang::En,
            _ => self,
        }
    }
}
