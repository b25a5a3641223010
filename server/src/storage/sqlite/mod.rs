//! SQLite, the embedded default: WAL with `synchronous=FULL`, so a commit is
//! on disk before it returns; one group-committing writer thread; a few
//! reader connections for lookups, which WAL lets run beside the writer.

mod admin;
mod calls;
mod carts;
mod controls;
mod migrations;
mod payments;
mod rows;
mod sessions;
mod visits;
pub mod writer;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};
use wendan_protocol::{PlacedOrder, StatusChange};

use self::writer::Job;
use crate::kitchen::controls::KitchenControls;
use crate::storage::{
    Backend, BatchObserver, ControlChange, Created, EventBus, KitchenStore, NewOrder, OrderStore,
    SchemaState, ScopedKey, StatusEvent, StorageError, StoredAnswer,
};

/// Orders that may wait for the writer; past this, intake answers 503.
pub const QUEUE_CAPACITY: usize = 8192;

/// Jobs submitted to the writer and not yet taken by it: a queue that grows
/// while commits do not means the disk (or a lock on the file) holds the
/// writer up.
#[derive(Clone)]
pub struct WriterQueue(Arc<AtomicUsize>);

impl WriterQueue {
    pub fn depth(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Clone)]
pub struct SqliteStore {
    jobs: mpsc::Sender<Job>,
    events: EventBus,
    queued: Arc<AtomicUsize>,
    readers: Arc<ReaderPool>,
}

impl SqliteStore {
    /// Opens (creating if absent) and migrates the database, and starts the writer.
    pub fn open(
        path: &Path,
        events: EventBus,
        observe: BatchObserver,
    ) -> Result<Self, StorageError> {
        let mut connection = Connection::open(path)?;
        configure(&connection)?;
        migrations::migrate(&mut connection)?;
        let (jobs, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let queued = Arc::new(AtomicUsize::new(0));
        let writer_queued = Arc::clone(&queued);
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer::run(connection, receiver, writer_queued, observe))
            .map_err(StorageError::database)?;
        Ok(Self {
            jobs,
            events,
            queued,
            readers: Arc::new(ReaderPool::new(path)),
        })
    }

    /// The writer's queue, for `/metrics`.
    pub fn writer_queue(&self) -> WriterQueue {
        WriterQueue(Arc::clone(&self.queued))
    }

    /// Queues a write without waiting: a full queue is an answer (503), not a wait.
    fn submit(&self, job: Job) -> Result<(), StorageError> {
        self.queued.fetch_add(1, Ordering::Relaxed);
        self.jobs.try_send(job).map_err(|error| {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            match error {
                mpsc::error::TrySendError::Full(_) => StorageError::QueueFull,
                mpsc::error::TrySendError::Closed(_) => StorageError::WriterGone,
            }
        })
    }

    async fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Connection) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let readers = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || readers.with(query))
            .await
            .map_err(StorageError::database)?
    }
}

impl OrderStore for SqliteStore {
    async fn find_by_key(&self, key: &ScopedKey) -> Result<Option<StoredAnswer>, StorageError> {
        let key = key.clone();
        self.read(move |connection| rows::answer_for_key(connection, &key))
            .await
    }

    async fn order(&self, id: &str) -> Result<Option<PlacedOrder>, StorageError> {
        let id = id.to_owned();
        self.read(move |connection| rows::order(connection, &id))
            .await
    }

    async fn open_orders(&self) -> Result<Vec<PlacedOrder>, StorageError> {
        self.read(rows::open_orders).await
    }

    async fn events_after(
        &self,
        id: &str,
        after_seq: i64,
    ) -> Result<Vec<StatusEvent>, StorageError> {
        let id = id.to_owned();
        self.read(move |connection| rows::events_after(connection, &id, after_seq))
            .await
    }

    async fn create(&self, order: NewOrder) -> Result<Created, StorageError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Create {
            order: Box::new(order),
            reply,
        })?;
        let inserted = answer.await.map_err(|_| StorageError::WriterGone)??;
        if let Some(event) = inserted.event {
            self.events.publish(event);
        }
        Ok(inserted.created)
    }

    async fn set_status(
        &self,
        id: &str,
        change: StatusChange,
    ) -> Result<StatusEvent, StorageError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::SetStatus {
            id: id.to_owned(),
            change,
            at: OffsetDateTime::now_utc(),
            reply,
        })?;
        let event = answer.await.map_err(|_| StorageError::WriterGone)??;
        self.events.publish(event.clone());
        Ok(event)
    }
}

impl KitchenStore for SqliteStore {
    async fn controls(&self) -> Result<KitchenControls, StorageError> {
        self.read(controls::load).await
    }

    async fn change_controls(&self, change: ControlChange) -> Result<(), StorageError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Control { change, reply })?;
        answer.await.map_err(|_| StorageError::WriterGone)??;
        self.events.controls_changed();
        Ok(())
    }

    async fn last_bumped(&self) -> Result<Option<String>, StorageError> {
        self.read(controls::last_bumped).await
    }
}

impl Backend for SqliteStore {
    async fn ping(&self) -> Result<(), StorageError> {
        self.read(|connection| Ok(connection.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn close(&self) -> Result<(), StorageError> {
        let (reply, answer) = oneshot::channel();
        // Close waits behind queued orders: it must not be refused for a full
        // queue. Counted like any job, since the writer uncounts it when taken.
        self.queued.fetch_add(1, Ordering::Relaxed);
        if self.jobs.send(Job::Close { reply }).await.is_err() {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            return Err(StorageError::WriterGone);
        }
        answer.await.map_err(|_| StorageError::WriterGone)?
    }
}

/// The schema state of the database file at `path`, opened read-only so
/// nothing is created or migrated; `None` when there is no file yet.
pub fn schema_state(path: &Path) -> Result<Option<SchemaState>, StorageError> {
    if !path.exists() {
        return Ok(None);
    }
    let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(Some(migrations::state(&connection)?))
}

fn configure(connection: &Connection) -> Result<(), StorageError> {
    connection.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;",
    )?;
    Ok(())
}

/// Read-only connections, reused. Hand-written because the pool crates for
/// rusqlite pin their own rusqlite release, and this needs only a stack.
struct ReaderPool {
    path: std::path::PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ReaderPool {
    fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        }
    }

    fn with<T>(
        &self,
        query: impl FnOnce(&Connection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let connection = match idle {
            Some(connection) => connection,
            None => {
                let connection = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                connection.busy_timeout(std::time::Duration::from_secs(5))?;
                connection
            }
        };
        let result = query(&connection);
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(connection);
        result
    }
}
