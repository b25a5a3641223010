//! Where orders are kept. The handlers see one `Storage`; each backend keeps
//! the same promise: an order, its key and its first answer commit together,
//! before anyone is told "yes". The promises are written down, method by
//! method, as the traits in `contract`, which both backends implement and
//! `Storage` dispatches through; `server/tests/suite/storage_contract.rs`
//! checks them against every backend.

pub mod admin;
pub mod carts;
pub mod contract;
mod dispatch;
pub mod events;
pub mod payments;
pub mod postgres;
pub mod sessions;
pub mod sqlite;
pub mod visits;

use std::sync::Arc;

use bytes::Bytes;
use time::OffsetDateTime;
use wendan_protocol::{IdempotencyKey, OrderStatus, PlacedOrder};

pub use admin::PastOrder;
pub use contract::{
    AdminStore, Backend, CallStore, CartStore, KitchenStore, OrderStore, PaymentStore,
    SessionStore, VisitStore,
};
pub use dispatch::Storage;
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

/// The statuses of orders still on the kitchen's board, from the one enum
/// (`OrderStatus::is_open`): both backends' queries take them from here
/// rather than spelling them in SQL.
/// Computed once: the kitchen board reads it on every refresh.
pub fn open_status_names() -> &'static [&'static str] {
    static OPEN: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        OrderStatus::ALL
            .into_iter()
            .filter(|status| status.is_open())
            .map(OrderStatus::as_str)
            .collect()
    });
    &OPEN
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

/// Told the size of each group of writes committed together, for metrics.
/// SQLite's writer commits in groups; PostgreSQL commits each write on its
/// own and never calls it.
pub type BatchObserver = Arc<dyn Fn(usize) + Send + Sync>;

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

/// Why a database call failed, kept whole: the database's (or the pool's,
/// or the thread's) own error, for logs and for `downcast_ref`.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a storage call can answer instead of its result. The causes stay
/// attached (`source()`), so logs and `doctor` show what the database said.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the database failed")]
    Database(#[source] Cause),
    #[error("the order writer is not running")]
    WriterGone,
    #[error("the write queue is full")]
    QueueFull,
    #[error("order {0} not found")]
    NotFound(String),
    #[error("an order cannot go from {from:?} to {to:?}")]
    InvalidTransition { from: OrderStatus, to: OrderStatus },
    #[error("a stored record is corrupt: {what}")]
    Corrupt {
        what: String,
        #[source]
        cause: Option<Cause>,
    },
    #[error("unsupported --database `{0}`: expected sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
}

impl StorageError {
    /// The database (or the thread or pool in front of it) failed with `cause`.
    pub fn database(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        StorageError::Database(Box::new(cause))
    }

    /// A stored record this build cannot read, for a reason found here.
    pub fn corrupt(what: impl Into<String>) -> Self {
        StorageError::Corrupt {
            what: what.into(),
            cause: None,
        }
    }

    /// A stored record (or one about to be stored) that `cause` could not read or write.
    pub fn corrupt_because(
        what: impl Into<String>,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        StorageError::Corrupt {
            what: what.into(),
            cause: Some(Box::new(cause)),
        }
    }
}

impl From<rusqlite::Error> for StorageError {
    fn from(error: rusqlite::Error) -> Self {
        StorageError::database(error)
    }
}

impl From<tokio_postgres::Error> for StorageError {
    fn from(error: tokio_postgres::Error) -> Self {
        StorageError::database(error)
    }
}

impl From<deadpool_postgres::PoolError> for StorageError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        match error {
            // Every connection busy for the whole wait: that is overload.
            deadpool_postgres::PoolError::Timeout(_) => StorageError::QueueFull,
            other => StorageError::database(other),
        }
    }
}

/// An order as both backends store it: its first answer's body.
pub(crate) fn encode_order(order: &PlacedOrder) -> Result<Vec<u8>, StorageError> {
    serde_json::to_vec(order)
        .map_err(|error| StorageError::corrupt_because("cannot encode an order", error))
}

/// A trading day's order number, as the database counts it.
pub(crate) fn order_number(number: i64) -> Result<u32, StorageError> {
    u32::try_from(number)
        .map_err(|error| StorageError::corrupt_because("order number overflow", error))
}

/// An order as both backends keep it: the first answer's body, with the
/// current status and its reason from their own columns.
pub(crate) fn order_from_stored(
    body: &[u8],
    status: &str,
    reason: Option<String>,
) -> Result<PlacedOrder, StorageError> {
    let mut order: PlacedOrder = serde_json::from_slice(body)
        .map_err(|error| StorageError::corrupt_because("an order's stored answer", error))?;
    order.status = parse_status(status)?;
    order.status_reason = reason;
    Ok(order)
}

/// A status column, as written by `OrderStatus::as_str`.
pub(crate) fn parse_status(text: &str) -> Result<OrderStatus, StorageError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| StorageError::corrupt(format!("unknown status `{text}`")))
}
