//! Where orders are kept. The handlers see one `Storage`; each backend keeps
//! the same promise: an order, its key and its first answer commit together,
//! before anyone is told "yes".

pub mod sqlite;

use bytes::Bytes;
use time::OffsetDateTime;
use wendan_protocol::{IdempotencyKey, OrderStatus, PlacedOrder, StatusChange};

pub use sqlite::SqliteStore;

/// An order the server has accepted and priced, not yet numbered or stored.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub key: IdempotencyKey,
    pub fingerprint: String,
    pub device_id: String,
    /// The restaurant's trading day, for the daily order number.
    pub business_day: String,
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

/// One status change, numbered for SSE resumption.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusEvent {
    pub seq: i64,
    pub order_id: String,
    pub status: OrderStatus,
    pub at: OffsetDateTime,
    pub reason: Option<String>,
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

/// The configured backend. An enum rather than a trait object: backends are
/// few and known, and async fns stay plain.
#[derive(Clone)]
pub enum Storage {
    Sqlite(SqliteStore),
}

impl Storage {
    /// Opens `url` (`sqlite://PATH`), creating and migrating it as needed.
    pub fn open(url: &str, observe_batch: sqlite::writer::BatchObserver) -> anyhow::Result<Self> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            let store = SqliteStore::open_with(std::path::Path::new(path), observe_batch)?;
            return Ok(Storage::Sqlite(store));
        }
        anyhow::bail!("unsupported --database `{url}`: expected sqlite://PATH")
    }

    pub async fn find_by_key(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<StoredAnswer>, StorageError> {
        match self {
            Storage::Sqlite(store) => store.find_by_key(key).await,
        }
    }

    pub async fn create(&self, order: NewOrder) -> Result<Created, StorageError> {
        match self {
            Storage::Sqlite(store) => store.create(order).await,
        }
    }

    pub async fn order(&self, id: &str) -> Result<Option<PlacedOrder>, StorageError> {
        match self {
            Storage::Sqlite(store) => store.order(id).await,
        }
    }

    pub async fn open_orders(&self) -> Result<Vec<PlacedOrder>, StorageError> {
        match self {
            Storage::Sqlite(store) => store.open_orders().await,
        }
    }

    pub async fn set_status(
        &self,
        id: &str,
        change: StatusChange,
    ) -> Result<StatusEvent, StorageError> {
        match self {
            Storage::Sqlite(store) => store.set_status(id, change).await,
        }
    }

    pub async fn events_after(
        &self,
        id: &str,
        after_seq: i64,
    ) -> Result<Vec<StatusEvent>, StorageError> {
        match self {
            Storage::Sqlite(store) => store.events_after(id, after_seq).await,
        }
    }

    /// Orders waiting for the writer: the overload signal.
    pub fn queue_depth(&self) -> usize {
        match self {
            Storage::Sqlite(store) => store.queue_depth(),
        }
    }

    /// Finishes every queued write and checkpoints.
    pub async fn close(&self) -> Result<(), StorageError> {
        match self {
            Storage::Sqlite(store) => store.close().await,
        }
    }
}
