//! The kitchen's switches in SQLite: read by the readers, written by the writer.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use crate::kitchen::controls::KitchenControls;
use crate::storage::{ControlChange, StorageError};

pub fn load(connection: &Connection) -> Result<KitchenControls, StorageError> {
    let paused = connection
        .prepare_cached("SELECT message FROM intake_pause WHERE id = 1")?
        .query_row([], |row| row.get(0))
        .optional()?;
    let mut statement =
        connection.prepare_cached("SELECT item_id, sold_out FROM sold_out_marks")?;
    let sold_out = statement
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?))
        })?
        .collect::<Result<BTreeMap<_, _>, _>>()?;
    Ok(KitchenControls { paused, sold_out })
}

pub fn apply(connection: &Connection, change: &ControlChange) -> Result<(), StorageError> {
    match change {
        ControlChange::Pause(Some(message)) => connection
            .prepare_cached(
                "INSERT INTO intake_pause (id, message) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET message = excluded.message",
            )?
            .execute([message])?,
        ControlChange::Pause(None) => connection
            .prepare_cached("DELETE FROM intake_pause")?
            .execute([])?,
        ControlChange::SoldOut { item_id, sold_out } => connection
            .prepare_cached(
                "INSERT INTO sold_out_marks (item_id, sold_out) VALUES (?1, ?2)
                 ON CONFLICT (item_id) DO UPDATE SET sold_out = excluded.sold_out",
            )?
            .execute(params![item_id, sold_out])?,
    };
    Ok(())
}

/// The order bumped most recently that is still ready: what "undo" recalls.
pub fn last_bumped(connection: &Connection) -> Result<Option<String>, StorageError> {
    let id = connection
        .prepare_cached(
            "SELECT e.order_id FROM order_events e JOIN orders o ON o.id = e.order_id
             WHERE e.status = 'ready' AND o.status = 'ready'
             ORDER BY e.seq DESC LIMIT 1",
        )?
        .query_row([], |row| row.get(0))
        .optional()?;
    Ok(id)
}
