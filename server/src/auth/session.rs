//! Staff logins as random server-side sessions.
//!
//! The cookie holds 256 random bits and nothing else, so it cannot be
//! computed from the token. The database keeps only the SHA-256 of that id
//! (someone reading the database cannot log in with what it holds), when the
//! session ends, and a digest binding it to the token it was made with: a
//! new token ends every session made with the old one. Logging out deletes
//! the row, so a copied cookie stops working with it; an expired one is
//! refused here, whatever the browser still sends. Plain Rust, tested with
//! given ids and a given `now`.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use super::scope::Scope;
use super::token::Token;
use crate::storage::StoredSession;

/// 256 bits: beyond guessing, however many requests are made.
const ID_BYTES: usize = 32;

/// The secret a session cookie holds. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId([u8; ID_BYTES]);

impl SessionId {
    /// A fresh id from the operating system's random source.
    pub fn random() -> Result<Self, getrandom::Error> {
        let mut bytes = [0; ID_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// An id with the given bytes (tests, and a deterministic RNG).
    pub fn from_bytes(bytes: [u8; ID_BYTES]) -> Self {
        Self(bytes)
    }

    /// The id a cookie value holds, if it holds one (base64url, no padding).
    pub fn from_cookie(value: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(value).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// What the cookie holds: cookie-safe text.
    pub fn cookie_value(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// What the database holds and looks the session up by.
    pub fn lookup_key(&self) -> [u8; 32] {
        Sha256::digest(self.0).into()
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("SessionId(…)")
    }
}

/// The row for a new session `id` of `scope`, made with `token` at `now`.
pub fn start(id: &SessionId, scope: Scope, token: &Token, now: OffsetDateTime) -> StoredSession {
    StoredSession {
        id_hash: id.lookup_key(),
        scope: scope.as_str().to_owned(),
        binding: binding(id, scope, token),
        created_at: now,
        expires_at: now + scope.session_lifetime(),
    }
}

/// What a presented session is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Live,
    /// Past its lifetime: the browser should have dropped it.
    Expired,
    /// Made for the other part (a kitchen cookie sent to the admin).
    OtherScope,
    /// Made with a token that is no longer configured.
    TokenChanged,
}

/// Whether `stored` (found by `id`'s lookup key) opens `scope` with the
/// configured `token` at `now`.
pub fn verdict(
    stored: &StoredSession,
    id: &SessionId,
    scope: Scope,
    token: &Token,
    now: OffsetDateTime,
) -> Verdict {
    if stored.scope != scope.as_str() {
        return Verdict::OtherScope;
    }
    if !bool::from(stored.binding.ct_eq(&binding(id, scope, token))) {
        return Verdict::TokenChanged;
    }
    if now >= stored.expires_at {
        return Verdict::Expired;
    }
    Verdict::Live
}

/// SHA-256 over the id, the scope and the token. The id is in it so that
/// the stored digest cannot be used to test token guesses offline: the id
/// itself is only in the browser.
fn binding(id: &SessionId, scope: Scope, token: &Token) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"wendan session binding\0")
        .chain_update(scope.as_str().as_bytes())
        .chain_update(b"\0")
        .chain_update(id.0)
        .chain_update(token.as_bytes())
        .finalize()
        .into()
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-23 04:00 UTC);

    fn token(text: &str) -> Token {
        Token::configured(Scope::Kitchen, text, false).expect("valid token")
    }

    fn id(byte: u8) -> SessionId {
        SessionId::from_bytes([byte; ID_BYTES])
    }

    #[test]
    fn a_session_is_live_for_its_lifetime_and_not_a_second_more() {
        let kitchen = token("q5Vt0jv3Zp8yXkQ2mN7rL4aB");
        for scope in Scope::ALL {
            let stored = start(&id(1), scope, &kitchen, NOW);
            let lifetime = scope.session_lifetime();
            let at = |offset| verdict(&stored, &id(1), scope, &kitchen, NOW + offset);
            assert_eq!(at(time::Duration::ZERO), Verdict::Live);
            assert_eq!(at(lifetime - time::Duration::SECOND), Verdict::Live);
            assert_eq!(at(lifetime), Verdict::Expired);
            assert_eq!(at(time::Duration::days(400)), Verdict::Expired);
        }
        assert_eq!(
            start(&id(1), Scope::Admin, &kitchen, NOW).expires_at,
            datetime!(2026-11-23 16:00 UTC)
        );
    }

    #[test]
    fn a_new_token_or_the_other_scope_ends_a_session() {
        let old = token("q5Vt0jv3Zp8yXkQ2mN7rL4aB");
        let new = token("Zq8mW2xT5vK9pL3nR7yB4cDf");
        let stored = start(&id(1), Scope::Kitchen, &old, NOW);
        assert_eq!(
            verdict(&stored, &id(1), Scope::Kitchen, &new, NOW),
            Verdict::TokenChanged
        );
        assert_eq!(
            verdict(&stored, &id(1), Scope::Admin, &old, NOW),
            Verdict::OtherScope
        );
        assert_eq!(
            verdict(&stored, &id(2), Scope::Kitchen, &old, NOW),
            Verdict::TokenChanged,
            "a row is bound to its own id"
        );
    }

    #[test]
    fn the_cookie_holds_only_random_bits_and_the_database_only_their_digest() {
        let secret = "q5Vt0jv3Zp8yXkQ2mN7rL4aB";
        let first = SessionId::random().expect("random");
        let second = SessionId::random().expect("random");
        assert_ne!(first, second);
        let value = first.cookie_value();
        assert_eq!(value.len(), 43, "256 bits in base64url");
        assert!(!value.contains(secret));
        assert_eq!(SessionId::from_cookie(&value), Some(first.clone()));
        let stored = start(&first, Scope::Kitchen, &token(secret), NOW);
        assert_ne!(stored.id_hash.as_slice(), first.0.as_slice());
        assert_eq!(stored.id_hash, first.lookup_key());
        assert_eq!(format!("{first:?}"), "SessionId(…)");
    }

    #[test]
    fn anything_but_a_whole_id_is_no_cookie() {
        for value in ["", "abc", "not base64!", &"A".repeat(44), &"A".repeat(42)] {
            assert_eq!(SessionId::from_cookie(value), None, "{value}");
        }
    }
}
