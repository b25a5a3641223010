//! Staff login sessions (see `auth::session`), in the database so that every
//! replica knows every session and a logout on one ends it on all.

use time::OffsetDateTime;

use super::{Storage, StorageError};

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

impl Storage {
    /// Stores a new session, and forgets the sessions that have expired by
    /// its start: logins are rare, so this is where the purge costs nothing.
    pub async fn create_session(&self, session: StoredSession) -> Result<(), StorageError> {
        dispatch!(self.create_session(session))
    }

    /// The session whose id hashes to `id_hash`, if it is stored.
    pub async fn session(&self, id_hash: [u8; 32]) -> Result<Option<StoredSession>, StorageError> {
        dispatch!(self.session(id_hash))
    }

    /// Forgets a session (logout); whether there was one.
    pub async fn delete_session(&self, id_hash: [u8; 32]) -> Result<bool, StorageError> {
        dispatch!(self.delete_session(id_hash))
    }
}

/// Times are stored as Unix seconds in both backends: compared and purged
/// by plain integer order, the same SQL on SQLite and PostgreSQL.
pub(crate) fn from_unix(seconds: i64) -> Result<OffsetDateTime, StorageError> {
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|error| StorageError::Corrupt(format!("session time {seconds}: {error}")))
}

/// A digest column, which is 32 bytes or corrupt.
pub(crate) fn digest(bytes: Vec<u8>) -> Result<[u8; 32], StorageError> {
    bytes.try_into().map_err(|bytes: Vec<u8>| {
        StorageError::Corrupt(format!("a {}-byte session digest", bytes.len()))
    })
}
