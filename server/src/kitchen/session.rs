//! The kitchen display's login. A browser's `EventSource` cannot send an
//! `Authorization` header, so the display trades the token once for an
//! HttpOnly, SameSite=Strict cookie. The cookie holds a digest of the token,
//! not the token: it opens the display but cannot be replayed as a bearer
//! token, and changing the token ends every session.

pub const COOKIE: &str = "wendan_kitchen";
/// A kitchen tablet stays logged in for a week of services.
pub const MAX_AGE_SECS: u32 = 7 * 24 * 3600;

/// The cookie value for `token` (checked by `auth::Kitchen`).
pub fn session_value(token: &str) -> String {
    crate::auth::session_value("kitchen", token)
}

/// `Set-Cookie` that logs the display in (`Some`) or out (`None`).
pub fn set_cookie(token: Option<&str>) -> String {
    match token {
        Some(token) => format!(
            "{COOKIE}={}; Path=/; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Strict",
            session_value(token)
        ),
        None => format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_opens_the_display_for_its_token_only() {
        let cookie = set_cookie(Some("secret"));
        let pair = cookie.split(';').next().expect("name=value");
        assert!(
            !pair.contains("secret"),
            "the token itself is not in the cookie"
        );
        assert_eq!(pair, format!("{COOKIE}={}", session_value("secret")));
        assert_ne!(session_value("secret"), session_value("other"));
        assert_ne!(
            session_value("secret"),
            crate::auth::session_value("admin", "secret"),
            "a kitchen cookie does not open the admin"
        );
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        assert!(set_cookie(None).contains("Max-Age=0"));
    }
}
