//! The kitchen display's login. A browser's `EventSource` cannot send an
//! `Authorization` header, so the display trades the token once for an
//! HttpOnly, SameSite=Strict cookie. The cookie holds a digest of the token,
//! not the token: it opens the display but cannot be replayed as a bearer
//! token, and changing the token ends every session.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const COOKIE: &str = "wendan_kitchen";
/// A kitchen tablet stays logged in for a week of services.
pub const MAX_AGE_SECS: u32 = 7 * 24 * 3600;

/// The cookie value for `token`.
pub fn session_value(token: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"wendan kitchen session\0")
        .chain_update(token.as_bytes())
        .finalize();
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Whether a `Cookie` header carries a session for `token`, in constant time.
pub fn cookie_header_matches(cookie_header: &str, token: &str) -> bool {
    let expected = session_value(token);
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == COOKIE)
        .any(|(_, value)| bool::from(expected.as_bytes().ct_eq(value.trim().as_bytes())))
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
        assert!(cookie_header_matches(&format!("lang=en; {pair}"), "secret"));
        assert!(!cookie_header_matches(pair, "other"));
        assert!(!cookie_header_matches("wendan_kitchen=secret", "secret"));
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        assert!(set_cookie(None).contains("Max-Age=0"));
    }
}
