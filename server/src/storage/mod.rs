//! Where orders are kept. The handlers see one `Storage`; each backend keeps
//! the same promise: an order, its key and its first answer commit together,
//! before anyone is told "yes".

/// Calls the same method on whichever backend is configured. Defined before
/// the modules, so that `admin` and `sessions` dispatch with it too.
macro_rules! dispatch {
    ($self:ident.$method:ident($($arg:expr),*)) => {
        match $self {
            Storage::Sqlite(store) => store.$method($($arg),*).await,
            Storage::Postgres(store) => store.$method($($arg),*).await,
        }
    };
}

pub mod admin;
pub mod events;
pub mod postgres;
pub mod sessions;
pub mod sqlite;

use bytes::Bytes;
use time::OffsetDateTime;
use wendan_protocol::{IdempotencyKey, OrderStatus, PlacedOrder, StatusChange};

use crate::kitchen::controls::KitchenControls;

pub use admin::PastOrder;
pub use events::EventBus;
pub use postgres::PostgresStore;
pub use sessions::StoredSession;
pub use sqlite::SqliteStore;

/// An idempotency key in its scope: the device that made it. Keys are
/// unique per device, in the database's constraint as in the in-flight set,
/// so a key another device sends names that device's own order: whoever
/// learns a diner's key can neither replay the diner's order nor block it.
/// When restaurants become tenants, the restaurant joins the scope here and
/// in the constraint (`UNIQUE (restaurant_id, device_id, idempotency_key)`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScopedKey {
    pub device_id: String,
    pub key: IdempotencyKey,
}

/// An order the server has accepted and priced, not yet numbered or stored.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub key: ScopedKey,
    pub fingerprint: String,
    /// The restaurant's trading day, for the daily order number.
    pub business_day: String,
    /// When the diner placed it, on the server's clock (`DeviceClock`),
    /// for the dashboard's delivery delay.
    pub placed_at: OffsetDateTime,
    /// Complete but for `number`, which the store assigns.
    pub order: PlacedOrder,
}

/// The first answer given for a key, kept to be replayed.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnswer {
    pub fingerprint: String,
    pub status: u16,
    pub body: Bytes,
    pub order_id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    /// This request created the order.
    New(StoredAnswer),
    /// The key already had an answer (another replica or an earlier attempt
    /// won the race); the caller compares fingerprints and replays.
    Existing(StoredAnswer),
}

/// How far a database's schema is from this build's migrations, for
/// `wendan-server doctor` (the server itself migrates at start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaState {
    /// Migrations the database has.
    pub applied: usize,
    /// Migrations this build knows.
    pub known: usize,
}

impl SchemaState {
    /// Migrations the server will apply when it starts.
    pub fn pending(self) -> usize {
        self.known.saturating_sub(self.applied)
    }

    /// The database was migrated by a newer build than this one.
    pub fn is_newer_than_this_build(self) -> bool {
        self.applied > self.known
    }
}

/// One status change, numbered for SSE resumption.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusEvent {
    pub seq: i64,
    pub order_id: String,
    pub status: OrderStatus,
    pub at: OffsetDateTime,
    pub reason: Option<String>,
}

/// One flip of the kitchen's switches.
#[derive(Debug, Clone, PartialEq)]
pub enum ControlChange {
    /// Pause intake with this message, or resume with `None`.
    Pause(Option<String>),
    SoldOut {
        item_id: String,
        sold_out: bool,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the database failed: {0}")]
    Database(String),
    #[error("the order writer is not running")]
    WriterGone,
    #[error("the write queue is full")]
    QueueFull,
    #[error("order {0} not found")]
    NotFound(String),
    #[error("an order cannot go from {from:?} to {to:?}")]
    InvalidTransition { from: OrderStatus, to: OrderStatus },
    #[error("a stored record is corrupt: {0}")]
    Corrupt(String),
}

impl From<rusqlite::Error> for StorageError {
    fn from(error: rusqlite::Error) -> Self {
        StorageError::Database(error.to_string())
    }
}

impl From<tokio_postgres::Error> for StorageError {
    fn from(error: tokio_postgres::Error) -> Self {
        StorageError::Database(error.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for StorageError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        match error {
            // Every connection busy for the whole wait: that is overload.
            deadpool_postgres::PoolError::Timeout(_) => StorageError::QueueFull,
            other => StorageError::Database(other.to_string()),
        }
    }
}

/// An order as both backends keep it: the first answer's body, with the
/// current status and its reason from their own columns.
pub(crate) fn order_from_stored(
    body: &[u8],
    status: &str,
    reason: Option<String>,
) -> Result<PlacedOrder, StorageError> {
    let mut order: PlacedOrder =
        serde_json::from_slice(body).map_err(|error| StorageError::Corrupt(error.to_string()))?;
    order.status = parse_status(status)?;
    order.status_reason = reason;
    Ok(order)
}

/// A status column, as written by `OrderStatus::as_str`.
pub(crate) fn parse_status(text: &str) -> Result<OrderStatus, StorageError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| StorageError::Corrupt(format!("unknown status `{text}`")))
}

/// The configured backend. An enum rather than a trait object: backends are
/// few and known, and async fns stay plain.
#[derive(Clone)]
pub enum Storage {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Storage {
    /// Opens `url` (`sqlite://PATH` or `postgres://…`), creating and
    /// migrating it as needed. Commits are announced on `events`.
    pub async fn open(
        url: &str,
        events: EventBus,
        observe_batch: sqlite::writer::BatchObserver,
    ) -> anyhow::Result<Self> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            let store = SqliteStore::open_with(std::path::Path::new(path), events, observe_batch)?;
            return Ok(Storage::Sqlite(store));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Storage::Postgres(PostgresStore::open(url, events).await?));
        }
        anyhow::bail!("unsupported --database `{url}`: expected sqlite://PATH or postgres://…")
    }

    /// The answer stored for `key`, if an order was made with it.
    pub async fn find_by_key(&self, key: &ScopedKey) -> Result<Option<StoredAnswer>, StorageError> {
        dispatch!(self.find_by_key(key))
    }

    pub async fn create(&self, order: NewOrder) -> Result<Created, StorageError> {
        dispatch!(self.create(order))
    }

    pub async fn order(&self, id: &str) -> Result<Option<PlacedOrder>, StorageError> {
        dispatch!(self.order(id))
    }

    pub async fn open_orders(&self) -> Result<Vec<PlacedOrder>, StorageError> {
        dispatch!(self.open_orders())
    }

    /// Applies a kitchen status change and announces it once committed.
    pub async fn set_status(
        &self,
        id: &str,
        change: StatusChange,
    ) -> Result<StatusEvent, StorageError> {
        dispatch!(self.set_status(id, change))
    }

    pub async fn events_after(
        &self,
        id: &str,
        after_seq: i64,
    ) -> Result<Vec<StatusEvent>, StorageError> {
        dispatch!(self.events_after(id, after_seq))
    }

    /// The kitchen's switches as last committed by any replica.
    pub async fn controls(&self) -> Result<KitchenControls, StorageError> {
        dispatch!(self.controls())
    }

    /// Flips a switch durably and announces it to every replica.
    pub async fn change_controls(&self, change: ControlChange) -> Result<(), StorageError> {
        dispatch!(self.change_controls(change))
    }

    /// The id of the order bumped (made ready) most recently that is still ready.
    pub async fn last_bumped(&self) -> Result<Option<String>, StorageError> {
        dispatch!(self.last_bumped())
    }

    /// A cheap round trip to the database, for readiness.
    pub async fn ping(&self) -> Result<(), StorageError> {
        dispatch!(self.ping())
    }

    /// Finishes every queued write and lets go of the database.
    pub async fn close(&self) -> Result<(), StorageError> {
        dispatch!(self.close())
    }
}
