//! Versioned schema changes, applied in order at start.
//!
//! Tracked in SQLite's own `PRAGMA user_version`: a dozen lines, where a
//! migration crate would pin us to its own `rusqlite` release.

use rusqlite::{Connection, OptionalExtension};

use crate::storage::StorageError;

use crate::storage::SchemaState;

const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/sqlite/0001_orders.sql"),
    include_str!("../../../migrations/sqlite/0002_kitchen.sql"),
    include_str!("../../../migrations/sqlite/0003_admin.sql"),
    include_str!("../../../migrations/sqlite/0004_sessions.sql"),
    include_str!("../../../migrations/sqlite/0005_device_keys.sql"),
    include_str!("../../../migrations/sqlite/0006_payments.sql"),
    include_str!("../../../migrations/sqlite/0007_table_codes.sql"),
    include_str!("../../../migrations/sqlite/0008_table_visits.sql"),
    include_str!("../../../migrations/sqlite/0009_service_calls.sql"),
    include_str!("../../../migrations/sqlite/0010_table_carts.sql"),
];

/// Brings the schema up to date in one transaction per migration.
///
/// SQLite changes a table's constraints only by rebuilding it (create the
/// new table, copy, drop the old, rename), and dropping a table that others
/// point at is refused while foreign keys are enforced; so they are off
/// while migrating (the pragma is ignored inside a transaction) and every
/// migration is checked with `foreign_key_check` before it commits.
pub fn migrate(connection: &mut Connection) -> Result<(), StorageError> {
    let enforced: bool = connection.pragma_query_value(None, "foreign_keys", |row| row.get(0))?;
    connection.pragma_update(None, "foreign_keys", false)?;
    let migrated = apply(connection);
    connection.pragma_update(None, "foreign_keys", enforced)?;
    migrated
}

fn apply(connection: &mut Connection) -> Result<(), StorageError> {
    let current: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let applied = usize::try_from(current).unwrap_or(0);
    for (index, sql) in (1i64..).zip(MIGRATIONS.iter()).skip(applied) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(sql)?;
        let dangling: Option<String> = transaction
            .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
            .optional()?;
        if let Some(table) = dangling {
            return Err(StorageError::corrupt(format!(
                "migration {index} left rows of `{table}` pointing at nothing"
            )));
        }
        transaction.pragma_update(None, "user_version", index)?;
        transaction.commit()?;
        tracing::info!(version = index, "applied SQLite migration");
    }
    Ok(())
}

/// How far `connection`'s schema is from this build's, without changing it.
pub fn state(connection: &Connection) -> rusqlite::Result<SchemaState> {
    let current: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    Ok(SchemaState {
        applied: usize::try_from(current).unwrap_or(0),
        known: MIGRATIONS.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoping_keys_by_device_keeps_the_orders_and_their_events() {
        let mut connection = Connection::open_in_memory().expect("in-memory db");
        connection
            .pragma_update(None, "foreign_keys", true)
            .expect("pragma");
        for sql in &MIGRATIONS[..3] {
            connection.execute_batch(sql).expect("old schema");
        }
        connection
            .pragma_update(None, "user_version", 3)
            .expect("version");
        connection
            .execute_batch(
                "INSERT INTO orders VALUES ('o1', 'key-1234567890abcd', 'f', '2026-11-23', 1,
                     'received', NULL, 'phone-a', '2026-11-23T04:00:05Z',
                     '2026-11-23T04:00:00Z', 100, 201, X'7B7D');
                 INSERT INTO order_events (order_id, status, at)
                     VALUES ('o1', 'received', '2026-11-23T04:00:05Z');",
            )
            .expect("an old order");
        migrate(&mut connection).expect("migrated");
        let (placed, events): (String, i64) = connection
            .query_row(
                "SELECT placed_at, (SELECT COUNT(*) FROM order_events WHERE order_id = o.id)
                 FROM orders o WHERE id = 'o1'",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .expect("kept");
        assert_eq!((placed.as_str(), events), ("2026-11-23T04:00:00Z", 1));
        // The same key from another device is another order; from the same, not.
        let insert = "INSERT INTO orders (id, idempotency_key, fingerprint, business_day, number,
                          status, status_reason, device_id, received_at, placed_at, total_minor,
                          response_status, response_body)
                      VALUES (?1, 'key-1234567890abcd', 'f', '2026-11-23', ?2,
                          'received', NULL, ?3, 't', 't', 100, 201, X'7B7D')";
        assert!(connection.execute(insert, ("o2", 2, "phone-b")).is_ok());
        assert!(connection.execute(insert, ("o3", 3, "phone-a")).is_err());
        let enforced: bool = connection
            .pragma_query_value(None, "foreign_keys", |row| row.get(0))
            .expect("pragma");
        assert!(enforced, "foreign keys are enforced again");
        let orphan = connection.execute(
            "INSERT INTO order_events (order_id, status, at) VALUES ('nope', 'received', 't')",
            [],
        );
        assert!(orphan.is_err(), "and still point at orders");
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut connection = Connection::open_in_memory().expect("in-memory db");
        migrate(&mut connection).expect("first run");
        migrate(&mut connection).expect("second run");
        let version: i64 = connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .expect("user_version");
        assert_eq!(version, MIGRATIONS.len() as i64);
    }

    #[test]
    fn the_state_counts_applied_and_known_migrations() {
        let mut connection = Connection::open_in_memory().expect("in-memory db");
        let fresh = state(&connection).expect("state");
        assert_eq!((fresh.applied, fresh.pending()), (0, MIGRATIONS.len()));
        migrate(&mut connection).expect("migrate");
        let migrated = state(&connection).expect("state");
        assert_eq!(
            (migrated.applied, migrated.pending()),
            (MIGRATIONS.len(), 0)
        );
    }
}
