//! Staff sessions on PostgreSQL, shared by every replica.

use super::PostgresStore;
use crate::storage::sessions::{StoredSession, digest, from_unix};
use crate::storage::{SessionStore, StorageError};

impl SessionStore for PostgresStore {
    async fn create_session(&self, session: StoredSession) -> Result<(), StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        transaction
            .execute(
                "DELETE FROM sessions WHERE expires_at <= $1",
                &[&session.created_at.unix_timestamp()],
            )
            .await?;
        transaction
            .execute(
                "INSERT INTO sessions (id_hash, scope, binding, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &session.id_hash.as_slice(),
                    &session.scope,
                    &session.binding.as_slice(),
                    &session.created_at.unix_timestamp(),
                    &session.expires_at.unix_timestamp(),
                ],
            )
            .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn session(&self, id_hash: [u8; 32]) -> Result<Option<StoredSession>, StorageError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT scope, binding, created_at, expires_at FROM sessions WHERE id_hash = $1",
                &[&id_hash.as_slice()],
            )
            .await?;
        row.map(|row| {
            Ok(StoredSession {
                id_hash,
                scope: row.get(0),
                binding: digest(row.get(1))?,
                created_at: from_unix(row.get(2))?,
                expires_at: from_unix(row.get(3))?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, id_hash: [u8; 32]) -> Result<bool, StorageError> {
        let client = self.pool.get().await?;
        let deleted = client
            .execute(
                "DELETE FROM sessions WHERE id_hash = $1",
                &[&id_hash.as_slice()],
            )
            .await?;
        Ok(deleted > 0)
    }
}
