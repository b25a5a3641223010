//! Staff login sessions (see `auth::session`), in the database so that every
//! replica knows every session and a logout on one ends it on all.

use time::OffsetDateTime;

use super::StorageError;

/// A session as stored: digests only, never the cookie's id or the token.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSession {
    /// SHA-256 of the id the cookie holds; the row is found by it.
    pub id_hash: [u8; 32],
    /// `kitchen` or `admin` (`auth::Scope::as_str`).
    pub scope: String,
    /// Binds the session to the token it was made with (`auth::session`).
    pub binding: [u8; 32],
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// Times are stored as Unix seconds in both backends: compared and purged
/// by plain integer order, the same SQL on SQLite and PostgreSQL.
pub(crate) fn from_unix(seconds: i64) -> Result<OffsetDateTime, StorageError> {
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|error| StorageError::corrupt_because(format!("session time {seconds}"), error))
}

/// A digest column, which is 32 bytes or corrupt.
pub(crate) fn digest(bytes: Vec<u8>) -> Result<[u8; 32], StorageError> {
    bytes.try_into().map_err(|bytes: Vec<u8>| {
        StorageError::corrupt(format!("a {}-byte session digest", bytes.len()))
    })
}
