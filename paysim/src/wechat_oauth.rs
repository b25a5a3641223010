//! WeChat's web authorisation (网页授权) as the sandbox plays it, for the
//! `openid` JSAPI payment needs: `/connect/oauth2/authorize` sends the
//! browser straight back with a single-use code (`snsapi_base` is silent in
//! the real WeChat too), and `/sns/oauth2/access_token` exchanges the code
//! for the diner's `openid` when the appid and AppSecret are right.
//!
//! The sandbox has no WeChat users, so a browser is one: its `openid` is
//! kept in a cookie on the sandbox's host, stable across payments.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;

use crate::Sandbox;

const USER_COOKIE: &str = "paysim_wechat_openid";

pub fn routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/connect/oauth2/authorize", get(authorize))
        .route("/sns/oauth2/access_token", get(access_token))
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    appid: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    #[serde(default)]
    state: String,
}

/// WeChat shows its own error page for a bad request; so does the sandbox.
fn error_page(text: &str) -> Response {
    (StatusCode::BAD_REQUEST, text.to_owned()).into_response()
}

async fn authorize(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    Query(query): Query<AuthorizeQuery>,
) -> Response {
    if query.appid.as_deref() != Some(sandbox.config.wechat_appid.as_str()) {
        return error_page("10002: appid 参数错误 (the appid is not this official account's)");
    }
    if query.response_type.as_deref() != Some("code") {
        return error_page("10004: response_type must be code");
    }
    if !matches!(
        query.scope.as_deref(),
        Some("snsapi_base" | "snsapi_userinfo")
    ) {
        return error_page("10005: scope 参数错误");
    }
    let Some(redirect_uri) = query
        .redirect_uri
        .filter(|uri| uri.starts_with("http://") || uri.starts_with("https://"))
    else {
        return error_page("10003: redirect_uri 参数错误");
    };
    let known = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == USER_COOKIE)
        .map(|(_, openid)| openid.to_owned());
    let openid = known
        .clone()
        .unwrap_or_else(|| format!("o{}", sandbox.nonce(27)));
    let code = sandbox.issue_oauth_code(&openid);
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let state: String =
        serde_urlencoded::to_string([("state", query.state.as_str())]).unwrap_or_default();
    let location = format!("{redirect_uri}{separator}code={code}&{state}");
    let Ok(location) = HeaderValue::from_str(&location) else {
        return error_page("10003: redirect_uri 参数错误");
    };
    let mut response = (StatusCode::FOUND, [(LOCATION, location)]).into_response();
    if known.is_none()
        && let Ok(cookie) = HeaderValue::from_str(&format!(
            "{USER_COOKIE}={openid}; Path=/; HttpOnly; SameSite=Lax"
        ))
    {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

#[derive(Deserialize)]
struct ExchangeQuery {
    appid: Option<String>,
    secret: Option<String>,
    code: Option<String>,
    grant_type: Option<String>,
}

/// WeChat answers errors with 200 and `errcode`.
fn refused(errcode: i64, errmsg: &str) -> Response {
    Json(json!({"errcode": errcode, "errmsg": errmsg})).into_response()
}

async fn access_token(
    State(sandbox): State<Arc<Sandbox>>,
    Query(query): Query<ExchangeQuery>,
) -> Response {
    if query.appid.as_deref() != Some(sandbox.config.wechat_appid.as_str()) {
        return refused(40013, "invalid appid");
    }
    if query.secret.as_deref() != Some(sandbox.config.wechat_app_secret.as_str()) {
        return refused(40125, "invalid appsecret");
    }
    if query.grant_type.as_deref() != Some("authorization_code") {
        return refused(40002, "invalid grant_type");
    }
    let Some(code) = query.code else {
        return refused(41008, "missing code");
    };
    match sandbox.redeem_oauth_code(&code) {
        Redeemed::Openid(openid) => Json(json!({
            "access_token": format!("sandbox-{}", sandbox.nonce(24)),
            "expires_in": 7200,
            "refresh_token": format!("sandbox-{}", sandbox.nonce(24)),
            "openid": openid,
            "scope": "snsapi_base",
            "is_snapshotuser": 0,
        }))
        .into_response(),
        Redeemed::AlreadyUsed => refused(40163, "code been used"),
        Redeemed::Unknown => refused(40029, "invalid code"),
    }
}

/// What a code exchange finds.
pub enum Redeemed {
    Openid(String),
    AlreadyUsed,
    Unknown,
}
