//! Staff sessions on SQLite: written through the group-committing writer
//! like every other write, read on the reader connections.

use rusqlite::{OptionalExtension, params};

use super::SqliteStore;
use crate::storage::sessions::{StoredSession, digest, from_unix};
use crate::storage::{SessionStore, StorageError};

impl SessionStore for SqliteStore {
    async fn create_session(&self, session: StoredSession) -> Result<(), StorageError> {
        self.write(Box::new(move |connection| {
            connection
                .prepare_cached("DELETE FROM sessions WHERE expires_at <= ?1")?
                .execute([session.created_at.unix_timestamp()])?;
            Ok(connection
                .prepare_cached(
                    "INSERT INTO sessions (id_hash, scope, binding, created_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    session.id_hash,
                    session.scope,
                    session.binding,
                    session.created_at.unix_timestamp(),
                    session.expires_at.unix_timestamp(),
                ])?)
        }))
        .await
        .map(drop)
    }

    async fn session(&self, id_hash: [u8; 32]) -> Result<Option<StoredSession>, StorageError> {
        self.read(move |connection| {
            let row = connection
                .prepare_cached(
                    "SELECT scope, binding, created_at, expires_at FROM sessions WHERE id_hash = ?1",
                )?
                .query_row([id_hash], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, Vec<u8>>(1)?,
                        row.get::<_, i64>(2)?,
                        row.get::<_, i64>(3)?,
                    ))
                })
                .optional()?;
            row.map(|(scope, binding, created_at, expires_at)| {
                Ok(StoredSession {
                    id_hash,
                    scope,
                    binding: digest(binding)?,
                    created_at: from_unix(created_at)?,
                    expires_at: from_unix(expires_at)?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn delete_session(&self, id_hash: [u8; 32]) -> Result<bool, StorageError> {
        let deleted = self
            .write(Box::new(move |connection| {
                Ok(connection
                    .prepare_cached("DELETE FROM sessions WHERE id_hash = ?1")?
                    .execute([id_hash])?)
            }))
            .await?;
        Ok(deleted > 0)
    }
}
