//! The kitchen's switches in PostgreSQL. A change NOTIFYs every replica on
//! commit, and each re-reads the switches: no replica keeps taking orders
//! after another has paused intake.

use std::collections::BTreeMap;

use deadpool_postgres::GenericClient;

use crate::kitchen::controls::KitchenControls;
use crate::storage::{ControlChange, StorageError};

pub const CONTROLS_CHANNEL: &str = "wendan_kitchen_controls";

pub async fn load(client: &impl GenericClient) -> Result<KitchenControls, StorageError> {
    let paused = client
        .query_opt("SELECT message FROM intake_pause WHERE id = 1", &[])
        .await?
        .map(|row| row.get(0));
    let sold_out = client
        .query("SELECT item_id, sold_out FROM sold_out_marks", &[])
        .await?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect::<BTreeMap<String, bool>>();
    Ok(KitchenControls { paused, sold_out })
}

pub async fn apply(
    client: &impl GenericClient,
    change: &ControlChange,
) -> Result<(), StorageError> {
    match change {
        ControlChange::Pause(Some(message)) => {
            client
                .execute(
                    "INSERT INTO intake_pause (id, message) VALUES (1, $1)
                     ON CONFLICT (id) DO UPDATE SET message = excluded.message",
                    &[message],
                )
                .await?
        }
        ControlChange::Pause(None) => client.execute("DELETE FROM intake_pause", &[]).await?,
        ControlChange::SoldOut { item_id, sold_out } => {
            client
                .execute(
                    "INSERT INTO sold_out_marks (item_id, sold_out) VALUES ($1, $2)
                     ON CONFLICT (item_id) DO UPDATE SET sold_out = excluded.sold_out",
                    &[item_id, sold_out],
                )
                .await?
        }
    };
    client
        .execute("SELECT pg_notify($1, '')", &[&CONTROLS_CHANNEL])
        .await?;
    Ok(())
}

pub async fn last_bumped(client: &impl GenericClient) -> Result<Option<String>, StorageError> {
    Ok(client
        .query_opt(
            "SELECT e.order_id FROM order_events e JOIN orders o ON o.id = e.order_id
             WHERE e.status = 'ready' AND o.status = 'ready'
             ORDER BY e.seq DESC LIMIT 1",
            &[],
        )
        .await?
        .map(|row| row.get(0)))
}
