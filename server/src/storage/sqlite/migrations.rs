//! Versioned schema changes, applied in order at start.
//!
//! Tracked in SQLite's own `PRAGMA user_version`: a dozen lines, where a
//! migration crate would pin us to its own `rusqlite` release.

use rusqlite::Connection;

use crate::storage::SchemaState;

const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/sqlite/0001_orders.sql"),
    include_str!("../../../migrations/sqlite/0002_kitchen.sql"),
    include_str!("../../../migrations/sqlite/0003_admin.sql"),
];

/// Brings the schema up to date in one transaction per migration.
pub fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let current: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let applied = usize::try_from(current).unwrap_or(0);
    for (index, sql) in (1i64..).zip(MIGRATIONS.iter()).skip(applied) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(sql)?;
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
