//! The `Idempotency-Key` header (IETF draft-ietf-httpapi-idempotency-key-header).
//!
//! The draft makes it a Structured Field string (`"abc…"`); many clients send
//! a bare token. Both are accepted; the key itself is 16–128 characters of
//! `[A-Za-z0-9_-]`, enough for a UUID and too strict for injection.

use std::fmt;

use serde::{Deserialize, Serialize};

pub const HEADER: &str = "Idempotency-Key";
pub const MIN_LEN: usize = 16;
pub const MAX_LEN: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key must be {MIN_LEN} to {MAX_LEN} characters long, not {0}")]
    Length(usize),
    #[error("the key may contain only letters, digits, '-' and '_'")]
    Characters,
    #[error("the quoted key is not closed")]
    Unterminated,
}

impl IdempotencyKey {
    /// Parses a header value: `"key"` (sf-string) or `key` (token).
    pub fn from_header(value: &str) -> Result<Self, KeyError> {
        let value = value.trim();
        let bare = match value.strip_prefix('"') {
            Some(rest) => rest.strip_suffix('"').ok_or(KeyError::Unterminated)?,
            None => value,
        };
        Self::new(bare)
    }

    pub fn new(key: &str) -> Result<Self, KeyError> {
        let length = key.chars().count();
        if !(MIN_LEN..=MAX_LEN).contains(&length) {
            return Err(KeyError::Length(length));
        }
        if !key
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
        {
            return Err(KeyError::Characters);
        }
        Ok(Self(key.to_owned()))
    }

    /// The header value to send: the draft's quoted form.
    pub fn to_header(&self) -> String {
        format!("\"{}\"", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = KeyError;
    fn try_from(key: String) -> Result<Self, KeyError> {
        Self::new(&key)
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> String {
        key.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "8e03978e-40d5-43e8-bc93-6894a57f9324";

    #[test]
    fn accepts_quoted_and_bare_forms() {
        let quoted = IdempotencyKey::from_header(&format!("\"{UUID}\"")).expect("quoted");
        let bare = IdempotencyKey::from_header(UUID).expect("bare");
        assert_eq!(quoted, bare);
        assert_eq!(quoted.as_str(), UUID);
        assert_eq!(quoted.to_header(), format!("\"{UUID}\""));
    }

    #[test]
    fn rejects_bad_lengths_and_characters() {
        assert_eq!(IdempotencyKey::new("short"), Err(KeyError::Length(5)));
        assert_eq!(
            IdempotencyKey::new(&"a".repeat(129)),
            Err(KeyError::Length(129))
        );
        assert!(IdempotencyKey::new(&"a".repeat(128)).is_ok());
        assert_eq!(
            IdempotencyKey::new("0123456789abcdef'; drop"),
            Err(KeyError::Characters)
        );
        assert_eq!(
            IdempotencyKey::from_header("\"0123456789abcdef"),
            Err(KeyError::Unterminated)
        );
    }
}
