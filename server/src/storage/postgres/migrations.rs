//! Versioned schema changes for PostgreSQL, applied at start under an
//! advisory lock so replicas starting together migrate once.

use tokio_postgres::Client;

use crate::storage::SchemaState;

const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/postgres/0001_orders.sql"),
    include_str!("../../../migrations/postgres/0002_kitchen.sql"),
    include_str!("../../../migrations/postgres/0003_admin.sql"),
    include_str!("../../../migrations/postgres/0004_sessions.sql"),
    include_str!("../../../migrations/postgres/0005_device_keys.sql"),
    include_str!("../../../migrations/postgres/0006_payments.sql"),
    include_str!("../../../migrations/postgres/0007_table_codes.sql"),
    include_str!("../../../migrations/postgres/0008_table_visits.sql"),
    include_str!("../../../migrations/postgres/0009_service_calls.sql"),
    include_str!("../../../migrations/postgres/0010_table_carts.sql"),
];

/// Any constant shared by all replicas; names the migration lock.
const MIGRATION_LOCK: i64 = 0x5745_4e44_414e; // "WENDAN"

pub async fn migrate(client: &mut Client) -> Result<(), tokio_postgres::Error> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let result = apply(client).await;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await?;
    result
}

/// How far the database's schema is from this build's, without changing it
/// (no `schema_version` table yet: nothing applied).
pub async fn state(client: &Client) -> Result<SchemaState, tokio_postgres::Error> {
    let has_table: bool = client
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])
        .await?
        .get(0);
    let applied: i32 = if has_table {
        client
            .query_one("SELECT coalesce(max(version), 0) FROM schema_version", &[])
            .await?
            .get(0)
    } else {
        0
    };
    Ok(SchemaState {
        applied: usize::try_from(applied).unwrap_or(0),
        known: MIGRATIONS.len(),
    })
}

async fn apply(client: &mut Client) -> Result<(), tokio_postgres::Error> {
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        .await?;
    let current: i32 = client
        .query_opt("SELECT max(version) FROM schema_version", &[])
        .await?
        .and_then(|row| row.get::<_, Option<i32>>(0))
        .unwrap_or(0);
    for (version, sql) in (1i32..).zip(MIGRATIONS).skip(current as usize) {
        let transaction = client.transaction().await?;
        transaction.batch_execute(sql).await?;
        transaction
            .execute(
                "INSERT INTO schema_version (version) VALUES ($1)",
                &[&version],
            )
            .await?;
        transaction.commit().await?;
        tracing::info!(version, "applied PostgreSQL migration");
    }
    Ok(())
}
