//! PostgreSQL, for restaurants that outgrow one machine: several
//! `wendan-server` replicas share one database behind a load balancer. The
//! idempotency key's uniqueness is a constraint, so two replicas receiving
//! the same key at once still make one order; status events reach every
//! replica through LISTEN/NOTIFY.

mod admin;
mod calls;
mod carts;
mod controls;
mod listener;
mod migrations;
mod payments;
mod sessions;
mod visits;

use std::time::Duration;

use bytes::Bytes;
use deadpool_postgres::GenericClient;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Timeouts};
use time::OffsetDateTime;
use tokio_postgres::{NoTls, Row};
use wendan_protocol::{OrderStatus, PlacedOrder, StatusChange, VisitOpener};

use crate::storage::visits::visit_table;

pub use self::listener::ListenerHealth;
use self::listener::{CHANNEL, Payload};
use crate::kitchen::controls::KitchenControls;
use crate::storage::{
    Backend, ControlChange, Created, EventBus, KitchenStore, NewOrder, OrderStore, SchemaState,
    ScopedKey, StatusEvent, StorageError, StoredAnswer, encode_order, order_from_stored,
    order_number, parse_status,
};

/// Connections per replica; past this, requests wait up to [`POOL_WAIT`].
const POOL_SIZE: usize = 32;
/// Waiting longer than this for a connection is overload: answer 503.
const POOL_WAIT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    listener: ListenerHealth,
}

impl PostgresStore {
    /// Connects, migrates the schema and starts listening for the other
    /// replicas' changes, before the store answers anything.
    pub async fn open(url: &str, events: EventBus) -> Result<Self, StorageError> {
        let config: tokio_postgres::Config = url.parse()?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .timeouts(Timeouts {
                wait: Some(POOL_WAIT),
                create: Some(POOL_WAIT),
                recycle: Some(POOL_WAIT),
            })
            .build()
            .map_err(StorageError::database)?;
        // At start a slow pool is a failure to connect, not overload.
        let mut client = pool.get().await.map_err(StorageError::database)?;
        migrations::migrate(&mut client).await?;
        drop(client);
        let listener = listener::start(config, events).await?;
        Ok(Self { pool, listener })
    }

    /// Whether this replica hears the others' changes, for `/metrics`.
    pub fn listener(&self) -> ListenerHealth {
        self.listener.clone()
    }
}

impl OrderStore for PostgresStore {
    async fn find_by_key(&self, key: &ScopedKey) -> Result<Option<StoredAnswer>, StorageError> {
        let client = self.pool.get().await?;
        answer_for_key(&client, key).await
    }

    async fn create(&self, mut new: NewOrder) -> Result<Created, StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        if let Some(existing) = answer_for_key(&transaction, &new.key).await? {
            return Ok(Created::Existing(existing));
        }
        let Some(body) = insert_numbered(&transaction, &mut new).await? else {
            // Another replica committed this key while we waited on the
            // counter: its order is the order.
            transaction.rollback().await?;
            return answer_for_key(&client, &new.key)
                .await?
                .map(Created::Existing)
                .ok_or_else(|| {
                    StorageError::corrupt("an idempotency key vanished after its conflict")
                });
        };
        transaction.commit().await?;
        Ok(Created::New(StoredAnswer {
            fingerprint: new.fingerprint,
            status: 201,
            body: Bytes::from(body),
            order_id: new.order.id,
        }))
    }

    async fn order(&self, id: &str) -> Result<Option<PlacedOrder>, StorageError> {
        let client = self.pool.get().await?;
        read_order(&client, id).await
    }

    async fn open_orders(&self) -> Result<Vec<PlacedOrder>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT response_body, status, status_reason FROM orders
                 WHERE status = ANY($1)
                 ORDER BY received_at, number",
                &[&super::open_status_names()],
            )
            .await?;
        rows.iter().map(order_from_row).collect()
    }

    async fn set_status(
        &self,
        id: &str,
        change: StatusChange,
    ) -> Result<StatusEvent, StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let current: String = transaction
            .query_opt("SELECT status FROM orders WHERE id = $1 FOR UPDATE", &[&id])
            .await?
            .ok_or_else(|| StorageError::NotFound(id.to_owned()))?
            .get(0);
        let current = parse_status(&current)?;
        if !current.can_become(change.status) {
            return Err(StorageError::InvalidTransition {
                from: current,
                to: change.status,
            });
        }
        let event = move_order(&transaction, id, change, OffsetDateTime::now_utc()).await?;
        transaction.commit().await?;
        Ok(event)
    }

    async fn events_after(
        &self,
        id: &str,
        after_seq: i64,
    ) -> Result<Vec<StatusEvent>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT seq, status, at, reason FROM order_events
                 WHERE order_id = $1 AND seq > $2 ORDER BY seq",
                &[&id, &after_seq],
            )
            .await?;
        rows.iter()
            .map(|row| {
                Ok(StatusEvent {
                    seq: row.get(0),
                    order_id: id.to_owned(),
                    status: parse_status(row.get(1))?,
                    at: row.get(2),
                    reason: row.get(3),
                })
            })
            .collect()
    }
}

impl KitchenStore for PostgresStore {
    async fn controls(&self) -> Result<KitchenControls, StorageError> {
        controls::load(&self.pool.get().await?).await
    }

    /// Commits the change with its NOTIFY; every replica (this one too)
    /// hears it through its listener and re-reads the switches.
    async fn change_controls(&self, change: ControlChange) -> Result<(), StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        controls::apply(&transaction, &change).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn last_bumped(&self) -> Result<Option<String>, StorageError> {
        controls::last_bumped(&self.pool.get().await?).await
    }
}

impl Backend for PostgresStore {
    async fn ping(&self) -> Result<(), StorageError> {
        self.pool.get().await?.execute("SELECT 1", &[]).await?;
        Ok(())
    }

    /// Every write is its own committed transaction: nothing to flush.
    async fn close(&self) -> Result<(), StorageError> {
        self.pool.close();
        Ok(())
    }
}

/// Numbers `new` within its trading day, joins it to its table's open
/// visit, and inserts it with its first event (announced on commit): the
/// stored body, or `None` if its key was taken meanwhile (nothing inserted).
/// Orders placed by a phone and a table's rounds both go through here.
async fn insert_numbered(
    transaction: &impl GenericClient,
    new: &mut NewOrder,
) -> Result<Option<Vec<u8>>, StorageError> {
    let number = next_number(transaction, &new.business_day).await?;
    new.order.number = order_number(i64::from(number))?;
    if let Some(table) = visit_table(&new.order) {
        let (visit, _) =
            visits::open_visit_at(transaction, table, VisitOpener::Scan, new.order.received_at)
                .await?;
        new.order.visit_id = Some(visit.id);
    }
    let body = encode_order(&new.order)?;
    if insert_order(transaction, new, number, new.order.status, &body).await? == 0 {
        return Ok(None);
    }
    let order = &new.order;
    record_event(
        transaction,
        &order.id,
        order.status,
        None,
        order.received_at,
    )
    .await?;
    Ok(Some(body))
}

/// The order with `id` as it stands, on `client` (a transaction's too).
async fn read_order(
    client: &impl GenericClient,
    id: &str,
) -> Result<Option<PlacedOrder>, StorageError> {
    let row = client
        .query_opt(
            "SELECT response_body, status, status_reason FROM orders WHERE id = $1",
            &[&id],
        )
        .await?;
    row.as_ref().map(order_from_row).transpose()
}

/// The trading day's next order number. One row per day hands them out; its
/// row lock orders replicas.
async fn next_number(client: &impl GenericClient, day: &str) -> Result<i32, StorageError> {
    Ok(client
        .query_one(
            "INSERT INTO day_counters (business_day, last_number) VALUES ($1, 1)
             ON CONFLICT (business_day)
             DO UPDATE SET last_number = day_counters.last_number + 1
             RETURNING last_number",
            &[&day],
        )
        .await?
        .get(0))
}

/// Inserts an order numbered `number` with its first answer `body`, unless
/// its key is taken: how many rows went in (0 or 1). `status` is its status now.
async fn insert_order(
    client: &impl GenericClient,
    new: &NewOrder,
    number: i32,
    status: OrderStatus,
    body: &[u8],
) -> Result<u64, StorageError> {
    let order = &new.order;
    Ok(client
        .execute(
            "INSERT INTO orders (id, idempotency_key, fingerprint, business_day, number,
                                 status, device_id, received_at, placed_at,
                                 total_minor, response_status, response_body, visit_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 201, $11, $12)
             ON CONFLICT (device_id, idempotency_key) DO NOTHING",
            &[
                &order.id,
                &new.key.key.as_str(),
                &new.fingerprint,
                &new.business_day,
                &number,
                &status.as_str(),
                &new.key.device_id,
                &order.received_at,
                &new.placed_at,
                &order.total_minor,
                &body,
                &order.visit_id,
            ],
        )
        .await?)
}

/// Inserts the event and queues its NOTIFY, which PostgreSQL delivers to
/// every listening replica only if the transaction commits.
/// Moves the order and records the move as an event, unchecked: the caller
/// has decided the move is allowed (the kitchen's `can_become`, or a
/// payment) and holds the order's row lock.
pub(super) async fn move_order(
    client: &impl GenericClient,
    id: &str,
    change: StatusChange,
    at: OffsetDateTime,
) -> Result<StatusEvent, StorageError> {
    client
        .execute(
            "UPDATE orders SET status = $2, status_reason = $3 WHERE id = $1",
            &[&id, &change.status.as_str(), &change.reason],
        )
        .await?;
    record_event(client, id, change.status, change.reason, at).await
}

async fn record_event(
    client: &impl GenericClient,
    order_id: &str,
    status: OrderStatus,
    reason: Option<String>,
    at: OffsetDateTime,
) -> Result<StatusEvent, StorageError> {
    let seq: i64 = client
        .query_one(
            "INSERT INTO order_events (order_id, status, reason, at)
             VALUES ($1, $2, $3, $4) RETURNING seq",
            &[&order_id, &status.as_str(), &reason, &at],
        )
        .await?
        .get(0);
    let event = StatusEvent {
        seq,
        order_id: order_id.to_owned(),
        status,
        at,
        reason,
    };
    let payload = serde_json::to_string(&Payload::from(&event))
        .map_err(|error| StorageError::corrupt_because("cannot encode a status event", error))?;
    client
        .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
        .await?;
    Ok(event)
}

/// The schema state of the database `client` is connected to, without
/// migrating it (`wendan-server doctor`).
pub async fn schema_state(
    client: &tokio_postgres::Client,
) -> Result<SchemaState, tokio_postgres::Error> {
    migrations::state(client).await
}

async fn answer_for_key(
    client: &impl GenericClient,
    key: &ScopedKey,
) -> Result<Option<StoredAnswer>, StorageError> {
    let row = client
        .query_opt(
            "SELECT fingerprint, response_status, response_body, id
             FROM orders WHERE device_id = $1 AND idempotency_key = $2",
            &[&key.device_id, &key.key.as_str()],
        )
        .await?;
    Ok(row.map(|row| StoredAnswer {
        fingerprint: row.get(0),
        status: u16::try_from(row.get::<_, i16>(1)).unwrap_or(500),
        body: Bytes::from(row.get::<_, Vec<u8>>(2)),
        order_id: row.get(3),
    }))
}

pub(super) fn order_from_row(row: &Row) -> Result<PlacedOrder, StorageError> {
    order_from_stored(row.get(0), row.get(1), row.get(2))
}
