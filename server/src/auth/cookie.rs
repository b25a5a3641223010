//! The session cookies on the wire: one rule for the kitchen's and the
//! admin's, and reading credentials from a request.
//!
//! Both are HttpOnly (no script reads them), SameSite=Strict (no other site
//! sends them), live as long as the session, and are `Secure` when diners
//! and staff reach the server over https (`--public-url https://…`), so a
//! browser never sends them over plain http.

use axum::http::HeaderMap;
use axum::http::HeaderValue;
use axum::http::header::{AUTHORIZATION, COOKIE};

use super::scope::Scope;
use super::session::SessionId;

/// Whether cookies get `Secure`: when the server is reached over https.
pub fn secure_for(public_url: &str) -> bool {
    public_url
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

/// `Set-Cookie` that holds `session` for `scope`, or, for `None`, makes the
/// browser forget it.
pub fn set_cookie(scope: Scope, session: Option<&SessionId>, secure: bool) -> HeaderValue {
    let (value, max_age) = match session {
        Some(id) => (id.cookie_value(), scope.session_lifetime().whole_seconds()),
        None => (String::new(), 0),
    };
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}",
        scope.cookie_name()
    );
    // Built of a fixed name, base64url and fixed attributes: always a valid
    // header value.
    HeaderValue::from_str(&cookie).expect("a cookie of base64url and fixed text")
}

/// The value of the cookie `name`, if the request has one.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The bearer token of `Authorization: Bearer …`, if there is one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes(cookie: &HeaderValue) -> Vec<String> {
        cookie
            .to_str()
            .expect("ascii")
            .split("; ")
            .skip(1)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn both_cookies_follow_one_rule_and_are_secure_over_https() {
        let id = SessionId::from_bytes([7; 32]);
        for scope in Scope::ALL {
            for (public_url, secure) in [
                ("https://order.example.com", true),
                ("HTTPS://order.example.com", true),
                ("http://127.0.0.1:8080", false),
                ("http", false),
            ] {
                assert_eq!(secure_for(public_url), secure, "{public_url}");
                let set = set_cookie(scope, Some(&id), secure_for(public_url));
                let max_age = format!("Max-Age={}", scope.session_lifetime().whole_seconds());
                let mut expected = vec!["Path=/", &max_age, "HttpOnly", "SameSite=Strict"];
                let forget = set_cookie(scope, None, secure_for(public_url));
                let mut expected_forget =
                    vec!["Path=/", "Max-Age=0", "HttpOnly", "SameSite=Strict"];
                if secure {
                    expected.push("Secure");
                    expected_forget.push("Secure");
                }
                assert_eq!(attributes(&set), expected, "{scope} {public_url}");
                assert_eq!(attributes(&forget), expected_forget, "{scope} {public_url}");
                assert!(set.to_str().expect("ascii").starts_with(&format!(
                    "{}={};",
                    scope.cookie_name(),
                    id.cookie_value()
                )));
            }
        }
        assert_eq!(
            set_cookie(Scope::Kitchen, None, false),
            "wendan_kitchen=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
        );
        assert!(
            set_cookie(Scope::Admin, Some(&id), false)
                .to_str()
                .expect("ascii")
                .contains("Max-Age=43200;")
        );
    }

    #[test]
    fn the_named_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, "a=1; wendan_admin=xyz".parse().expect("value"));
        headers.append(COOKIE, "wendan_kitchen=abc".parse().expect("value"));
        assert_eq!(cookie(&headers, "wendan_admin"), Some("xyz"));
        assert_eq!(cookie(&headers, "wendan_kitchen"), Some("abc"));
        assert_eq!(cookie(&headers, "wendan"), None);
    }
}
