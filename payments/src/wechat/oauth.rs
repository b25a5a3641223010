//! The diner's `openid` for JSAPI payment, from the official account's web
//! authorisation (网页授权) with `scope=snsapi_base`: silent inside the
//! WeChat browser, no consent screen.
//!
//! 1. The page goes to [`authorize_url`]; WeChat sends the browser back to
//!    `redirect_uri?code=CODE&state=STATE` (the code is single-use and lives
//!    five minutes).
//! 2. The server (never the page: the AppSecret stays on the server)
//!    exchanges the code at [`access_token_url`] and reads the answer with
//!    [`read_openid`].

use serde::Deserialize;

/// Where the browser is sent to authorise (`open.weixin.qq.com`).
pub const AUTHORIZE_BASE: &str = "https://open.weixin.qq.com";
/// Where the server exchanges the code (`api.weixin.qq.com`).
pub const SNS_BASE: &str = "https://api.weixin.qq.com";

/// `…/connect/oauth2/authorize?appid=…&redirect_uri=…&response_type=code&scope=snsapi_base&state=…#wechat_redirect`.
/// The parameters must come in this order (WeChat's documents warn that
/// another order fails on some clients), and the `#wechat_redirect`
/// fragment is required.
pub fn authorize_url(base: &str, appid: &str, redirect_uri: &str, state: &str) -> String {
    format!(
        "{}/connect/oauth2/authorize?appid={}&redirect_uri={}&response_type=code&scope=snsapi_base&state={}#wechat_redirect",
        base.trim_end_matches('/'),
        encode(appid),
        encode(redirect_uri),
        encode(state),
    )
}

/// `…/sns/oauth2/access_token?appid=…&secret=…&code=…&grant_type=authorization_code`.
pub fn access_token_url(base: &str, appid: &str, secret: &str, code: &str) -> String {
    format!(
        "{}/sns/oauth2/access_token?appid={}&secret={}&code={}&grant_type=authorization_code",
        base.trim_end_matches('/'),
        encode(appid),
        encode(secret),
        encode(code),
    )
}

/// Why no `openid` came back.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OauthError {
    /// WeChat's own error answer (`40029` invalid code, `40163` code used…).
    #[error("WeChat answered errcode {errcode}: {errmsg}")]
    Refused { errcode: i64, errmsg: String },
    /// A page opened from a Moments snapshot (朋友圈快照页) gets a virtual
    /// user: its `openid` cannot pay. The diner must open the page itself.
    #[error("a snapshot-page visitor has no real openid")]
    SnapshotUser,
    #[error("unreadable answer: {0}")]
    Unreadable(String),
}

#[derive(Deserialize)]
struct Answer {
    openid: Option<String>,
    #[serde(default)]
    is_snapshotuser: Option<i64>,
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
}

/// The `openid` of the code's owner, from the exchange's JSON answer.
pub fn read_openid(body: &str) -> Result<String, OauthError> {
    let answer: Answer =
        serde_json::from_str(body).map_err(|error| OauthError::Unreadable(error.to_string()))?;
    if let Some(errcode) = answer.errcode.filter(|code| *code != 0) {
        return Err(OauthError::Refused {
            errcode,
            errmsg: answer.errmsg.unwrap_or_default(),
        });
    }
    if answer.is_snapshotuser == Some(1) {
        return Err(OauthError::SnapshotUser);
    }
    match answer.openid {
        Some(openid) if is_plain_openid(&openid) => Ok(openid),
        Some(openid) => Err(OauthError::Unreadable(format!(
            "openid {openid:?} is not an openid"
        ))),
        None => Err(OauthError::Unreadable("no openid".into())),
    }
}

/// An `openid` is 28 URL-safe characters in practice; anything that is not
/// a short run of them is refused before it reaches a URL or a page.
pub fn is_plain_openid(openid: &str) -> bool {
    (1..=64).contains(&openid.len())
        && openid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
/// Written here because the four lines are all this module needs and the
/// widget's build of this crate carries no URL library.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorize_url_keeps_wechats_order_and_fragment() {
        let url = authorize_url(
            "https://open.weixin.qq.com/",
            "wx520c15f417810387",
            "https://order.example/api/v1/payments/wechat/openid?order_id=7",
            "a1b2",
        );
        assert_eq!(
            url,
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx520c15f417810387\
             &redirect_uri=https%3A%2F%2Forder.example%2Fapi%2Fv1%2Fpayments%2Fwechat%2Fopenid%3Forder_id%3D7\
             &response_type=code&scope=snsapi_base&state=a1b2#wechat_redirect"
        );
    }

    #[test]
    fn the_exchange_url_names_the_grant() {
        assert_eq!(
            access_token_url(SNS_BASE, "wxA", "s&cret", "CODE"),
            "https://api.weixin.qq.com/sns/oauth2/access_token?appid=wxA&secret=s%26cret&code=CODE&grant_type=authorization_code"
        );
    }

    /// The answers as WeChat's document shows them.
    #[test]
    fn the_documented_answers_read_as_documented() {
        let ok = r#"{"access_token":"ACCESS_TOKEN","expires_in":7200,"refresh_token":"REFRESH_TOKEN","openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o","scope":"snsapi_base","is_snapshotuser":0,"unionid":"o6_bmasdasdsad6_2sgVt7hMZOPfL"}"#;
        assert_eq!(
            read_openid(ok).as_deref(),
            Ok("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
        );
        assert_eq!(
            read_openid(r#"{"errcode":40029,"errmsg":"invalid code"}"#),
            Err(OauthError::Refused {
                errcode: 40029,
                errmsg: "invalid code".into()
            })
        );
        let snapshot = r#"{"access_token":"T","expires_in":7200,"openid":"oX","scope":"snsapi_base","is_snapshotuser":1}"#;
        assert_eq!(read_openid(snapshot), Err(OauthError::SnapshotUser));
    }

    #[test]
    fn an_odd_openid_is_refused() {
        assert!(read_openid(r#"{"openid":"o<script>"}"#).is_err());
        assert!(read_openid(r#"{"openid":""}"#).is_err());
        assert!(read_openid(r#"{"scope":"snsapi_base"}"#).is_err());
        assert!(read_openid("<html>").is_err());
    }
}
