//! The single SQLite writer, with group commit.
//!
//! Every write goes through one thread that owns the write connection. It
//! takes all jobs waiting in its queue (up to [`MAX_BATCH`]), applies each in
//! its own savepoint, and commits them in one transaction: one fsync for the
//! whole group instead of one per order. Only after that commit does any
//! caller hear "done". This is how a disk that allows ~3,000 fsyncs a second
//! takes many more durable orders a second.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rusqlite::{Connection, TransactionBehavior, params};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};
use wendan_protocol::{StatusChange, VisitOpener};

use super::{controls, payments, rows, visits};
use crate::payments::transition::PaymentUpdate;
use crate::storage::payments::Applied;
use crate::storage::visits::visit_table;
use crate::storage::{
    BatchObserver, ControlChange, Created, NewOrder, StatusEvent, StorageError, StoredAnswer,
    encode_order, order_number,
};

/// Why a group failed: one error, shared by every job in the group.
type GroupFailure = Arc<rusqlite::Error>;

/// The most jobs committed together; bounds the latency of one commit.
pub const MAX_BATCH: usize = 1024;

/// A stored order, and the event that announces it if it is new.
pub struct Inserted {
    pub created: Created,
    pub event: Option<StatusEvent>,
}

pub enum Job {
    Create {
        order: Box<NewOrder>,
        reply: oneshot::Sender<Result<Inserted, StorageError>>,
    },
    SetStatus {
        id: String,
        change: StatusChange,
        at: OffsetDateTime,
        reply: oneshot::Sender<Result<StatusEvent, StorageError>>,
    },
    /// Applies one payment update (`PaymentStore::apply_payment`).
    Payment {
        order_id: String,
        update: Box<PaymentUpdate>,
        at: OffsetDateTime,
        reply: oneshot::Sender<Result<Applied, StorageError>>,
    },
    /// Flips one of the kitchen's switches.
    Control {
        change: ControlChange,
        reply: oneshot::Sender<Result<(), StorageError>>,
    },
    /// A change to a table's shared cart, which may store a round's order
    /// in the same savepoint (`CartStore`).
    Cart {
        work: Box<CartWork>,
        reply: oneshot::Sender<Result<CartDone, StorageError>>,
    },
    /// Any other write (tables, intake counts), in the same group commit;
    /// answers how many rows it changed.
    Write {
        work: Box<WriteWork>,
        reply: oneshot::Sender<Result<usize, StorageError>>,
    },
    /// Checkpoints the WAL and stops, after every job queued before it.
    Close {
        reply: oneshot::Sender<Result<(), StorageError>>,
    },
}

/// A table cart's change, run by the writer thread: it may number and
/// insert an order ([`insert_order`] with the numbers it is given).
pub type CartWork =
    dyn FnOnce(&Connection, &mut DayNumbers) -> Result<CartDone, StorageError> + Send;

/// What a cart's change did, and the status event of an order it stored.
pub struct CartDone {
    pub write: crate::storage::carts::CartWrite,
    pub event: Option<StatusEvent>,
    /// Whether the cart was stored changed: only then are its phones told.
    pub changed: bool,
}

/// A write run by the writer thread on its connection.
pub type WriteWork = dyn FnOnce(&Connection) -> Result<usize, StorageError> + Send;

/// Runs the writer loop until every sender is gone or a `Close` arrives.
pub fn run(
    mut connection: Connection,
    mut jobs: mpsc::Receiver<Job>,
    queued: Arc<AtomicUsize>,
    observe: BatchObserver,
) {
    let mut numbers = DayNumbers::default();
    while let Some(first) = jobs.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        queued.fetch_sub(batch.len(), Ordering::Relaxed);
        observe(batch.len());
        if commit_group(&mut connection, batch, &mut numbers) {
            return;
        }
    }
}

/// A job's answer, held back until the group's commit is durable.
enum Pending {
    Created(
        oneshot::Sender<Result<Inserted, StorageError>>,
        Result<Inserted, StorageError>,
    ),
    Status(
        oneshot::Sender<Result<StatusEvent, StorageError>>,
        Result<StatusEvent, StorageError>,
    ),
    /// Boxed: an update's answer is much larger than the others'.
    Payment(
        oneshot::Sender<Result<Applied, StorageError>>,
        Box<Result<Applied, StorageError>>,
    ),
    Control(
        oneshot::Sender<Result<(), StorageError>>,
        Result<(), StorageError>,
    ),
    Write(
        oneshot::Sender<Result<usize, StorageError>>,
        Result<usize, StorageError>,
    ),
    Cart(
        oneshot::Sender<Result<CartDone, StorageError>>,
        Box<Result<CartDone, StorageError>>,
    ),
    Close(oneshot::Sender<Result<(), StorageError>>),
}

/// Applies and commits one group; returns true when the writer should stop.
fn commit_group(connection: &mut Connection, batch: Vec<Job>, numbers: &mut DayNumbers) -> bool {
    let mut pending = Vec::with_capacity(batch.len());
    let committed = apply_group(connection, batch, numbers, &mut pending);
    if committed.is_err() {
        // Numbers handed out in a group that did not commit were not used.
        numbers.forget();
    }
    let mut stop = false;
    for answer in pending {
        match answer {
            Pending::Created(reply, result) => {
                let _ = reply.send(after_commit(&committed, result));
            }
            Pending::Status(reply, result) => {
                let _ = reply.send(after_commit(&committed, result));
            }
            Pending::Payment(reply, result) => {
                let _ = reply.send(after_commit(&committed, *result));
            }
            Pending::Control(reply, result) => {
                let _ = reply.send(after_commit(&committed, result));
            }
            Pending::Write(reply, result) => {
                let _ = reply.send(after_commit(&committed, result));
            }
            Pending::Cart(reply, result) => {
                let _ = reply.send(after_commit(&committed, *result));
            }
            Pending::Close(reply) => {
                let checkpoint = connection
                    .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                    .map_err(StorageError::from);
                let _ = reply.send(after_commit(&committed, Ok(())).and(checkpoint));
                stop = true;
            }
        }
    }
    stop
}

/// A job that succeeded inside a group that failed to commit did not happen.
fn after_commit<T>(
    committed: &Result<(), GroupFailure>,
    result: Result<T, StorageError>,
) -> Result<T, StorageError> {
    match committed {
        Ok(()) => result,
        Err(cause) => Err(StorageError::database(Arc::clone(cause))),
    }
}

fn apply_group(
    connection: &mut Connection,
    batch: Vec<Job>,
    numbers: &mut DayNumbers,
    pending: &mut Vec<Pending>,
) -> Result<(), GroupFailure> {
    let mut transaction = match connection.transaction_with_behavior(TransactionBehavior::Immediate)
    {
        Ok(transaction) => transaction,
        Err(error) => {
            let cause = Arc::new(error);
            for job in batch {
                pending.push(refuse(job, &cause));
            }
            return Err(cause);
        }
    };
    for job in batch {
        match job {
            Job::Create { order, reply } => {
                let result = in_savepoint(&mut transaction, |connection| {
                    insert_order(connection, *order, numbers)
                });
                if result.is_err() {
                    numbers.forget();
                }
                pending.push(Pending::Created(reply, result));
            }
            Job::SetStatus {
                id,
                change,
                at,
                reply,
            } => {
                let result = in_savepoint(&mut transaction, |connection| {
                    update_status(connection, &id, change, at)
                });
                pending.push(Pending::Status(reply, result));
            }
            Job::Payment {
                order_id,
                update,
                at,
                reply,
            } => {
                let result = in_savepoint(&mut transaction, |connection| {
                    payments::apply(connection, &order_id, *update, at)
                });
                pending.push(Pending::Payment(reply, Box::new(result)));
            }
            Job::Control { change, reply } => {
                let result = in_savepoint(&mut transaction, |connection| {
                    controls::apply(connection, &change)
                });
                pending.push(Pending::Control(reply, result));
            }
            Job::Write { work, reply } => {
                let result = in_savepoint(&mut transaction, work);
                pending.push(Pending::Write(reply, result));
            }
            Job::Cart { work, reply } => {
                let result = in_savepoint(&mut transaction, |connection| work(connection, numbers));
                if result.is_err() {
                    numbers.forget();
                }
                pending.push(Pending::Cart(reply, Box::new(result)));
            }
            Job::Close { reply } => pending.push(Pending::Close(reply)),
        }
    }
    transaction.commit().map_err(Arc::new)
}

/// Answers a job whose group could not begin with the group's cause.
fn refuse(job: Job, cause: &GroupFailure) -> Pending {
    let failed = || StorageError::database(Arc::clone(cause));
    match job {
        Job::Create { reply, .. } => Pending::Created(reply, Err(failed())),
        Job::SetStatus { reply, .. } => Pending::Status(reply, Err(failed())),
        Job::Payment { reply, .. } => Pending::Payment(reply, Box::new(Err(failed()))),
        Job::Control { reply, .. } => Pending::Control(reply, Err(failed())),
        Job::Write { reply, .. } => Pending::Write(reply, Err(failed())),
        Job::Cart { reply, .. } => Pending::Cart(reply, Box::new(Err(failed()))),
        Job::Close { reply } => Pending::Close(reply),
    }
}

/// Runs `work` in a savepoint, so one failing job leaves the group intact.
fn in_savepoint<T>(
    transaction: &mut rusqlite::Transaction<'_>,
    work: impl FnOnce(&Connection) -> Result<T, StorageError>,
) -> Result<T, StorageError> {
    let savepoint = transaction.savepoint()?;
    let result = work(&savepoint)?;
    savepoint.commit()?;
    Ok(result)
}

/// The last order number of each trading day, so the writer does not ask
/// the database for every order. Forgotten after any failure, so it is
/// re-read rather than trusted.
#[derive(Default)]
pub struct DayNumbers {
    last: HashMap<String, i64>,
}

impl DayNumbers {
    fn next(&mut self, connection: &Connection, day: &str) -> Result<i64, StorageError> {
        let last = match self.last.get(day) {
            Some(last) => *last,
            None => connection
                .prepare_cached(
                    "SELECT COALESCE(MAX(number), 0) FROM orders WHERE business_day = ?1",
                )?
                .query_row([day], |row| row.get(0))?,
        };
        self.last.insert(day.to_owned(), last + 1);
        Ok(last + 1)
    }

    fn forget(&mut self) {
        self.last.clear();
    }
}

pub(super) fn insert_order(
    connection: &Connection,
    mut new: NewOrder,
    numbers: &mut DayNumbers,
) -> Result<Inserted, StorageError> {
    if let Some(existing) = rows::answer_for_key(connection, &new.key)? {
        return Ok(Inserted {
            created: Created::Existing(existing),
            event: None,
        });
    }
    let number = numbers.next(connection, &new.business_day)?;
    new.order.number = order_number(number)?;
    if let Some(table) = visit_table(&new.order) {
        let visit =
            visits::open_visit_at(connection, table, VisitOpener::Scan, new.order.received_at)?;
        new.order.visit_id = Some(visit.id);
    }
    let body = encode_order(&new.order)?;
    rows::insert_order(connection, &new, number, new.order.status, &body)?;
    let order = new.order;
    let event = StatusEvent {
        seq: connection.last_insert_rowid(),
        order_id: order.id.clone(),
        status: order.status,
        at: order.received_at,
        reason: None,
    };
    Ok(Inserted {
        created: Created::New(StoredAnswer {
            fingerprint: new.fingerprint,
            status: 201,
            body: body.into(),
            order_id: order.id,
        }),
        event: Some(event),
    })
}

fn update_status(
    connection: &Connection,
    id: &str,
    change: StatusChange,
    at: OffsetDateTime,
) -> Result<StatusEvent, StorageError> {
    let current =
        rows::order(connection, id)?.ok_or_else(|| StorageError::NotFound(id.to_owned()))?;
    if !current.status.can_become(change.status) {
        return Err(StorageError::InvalidTransition {
            from: current.status,
            to: change.status,
        });
    }
    record_status(connection, id, change, at)
}

/// Moves the order and records the move as an event, unchecked: the caller
/// has decided the move is allowed (the kitchen's `can_become`, or a payment).
pub(super) fn record_status(
    connection: &Connection,
    id: &str,
    change: StatusChange,
    at: OffsetDateTime,
) -> Result<StatusEvent, StorageError> {
    let StatusChange { status, reason } = change;
    connection
        .prepare_cached("UPDATE orders SET status = ?2, status_reason = ?3 WHERE id = ?1")?
        .execute(params![id, status.as_str(), reason])?;
    connection
        .prepare_cached(
            "INSERT INTO order_events (order_id, status, reason, at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, status.as_str(), reason, rows::timestamp(at)?])?;
    Ok(StatusEvent {
        seq: connection.last_insert_rowid(),
        order_id: id.to_owned(),
        status,
        at,
        reason,
    })
}
