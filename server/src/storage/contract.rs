//! The storage contract: what every backend promises, method by method.
//!
//! `SqliteStore` and `PostgresStore` implement these traits, and `Storage`
//! dispatches to them through the traits, so a backend that lacks a method
//! or answers in another shape does not compile. What the compiler cannot
//! check (durability, idempotency, ordering) is said on each method and
//! tested against every backend by one suite,
//! `server/tests/suite/storage_contract.rs`.
//!
//! Every method answers `StorageError::QueueFull` when the backend is
//! overloaded (the caller answers 503 and the diner's phone retries), and
//! `StorageError::Database` with the database's own error as its source
//! when the database fails. A write that answers an error did not happen.
//!
//! The futures are `Send`, so handlers can await them on any worker thread.

use std::future::Future;

use time::OffsetDateTime;
use wendan_payments::MerchantRef;
use wendan_protocol::{
    PlacedOrder, ServiceCall, StatusChange, TableVisit, VisitCloser, VisitOpener,
};
use wendan_tablecart::{Mutation, SendRequest, TableCart};

use super::carts::{CartWrite, RoundPricer};
use super::payments::{Applied, DayPayments, PaymentEvent, StoredPayment, Unsettled};
use super::visits::{NewCall, OpenVisit, OrderAndPayment, VisitMove};
use super::{
    ControlChange, Created, NewOrder, PastOrder, ScopedKey, StatusEvent, StorageError,
    StoredAnswer, StoredSession,
};
use crate::dashboard::{DayRecords, MinuteCount};
use crate::kitchen::controls::KitchenControls;
use crate::payments::transition::PaymentUpdate;
use crate::tables::DiningTable;

/// Orders and their status history: what a diner's phone and the kitchen
/// depend on to see each order exactly once.
pub trait OrderStore {
    /// The first answer stored for `key`, if an order was made with it;
    /// only committed orders are found.
    fn find_by_key(
        &self,
        key: &ScopedKey,
    ) -> impl Future<Output = Result<Option<StoredAnswer>, StorageError>> + Send;

    /// Numbers the order within its trading day and stores it with its key
    /// and first answer in one commit, durable before `New` is returned;
    /// its `received` event is announced on the `EventBus` after the commit.
    /// Idempotent by key: if the key already has an order (an earlier
    /// attempt, or another replica that won the race), nothing is stored
    /// and that order's first answer comes back as `Existing`.
    fn create(&self, order: NewOrder)
    -> impl Future<Output = Result<Created, StorageError>> + Send;

    /// The order with `id` as it stands now: the first answer's order with
    /// its current status and reason.
    fn order(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<PlacedOrder>, StorageError>> + Send;

    /// The orders still open (received, preparing, ready), oldest first:
    /// by received time, then by number.
    fn open_orders(&self) -> impl Future<Output = Result<Vec<PlacedOrder>, StorageError>> + Send;

    /// Moves the order to `change.status` if its current status may become
    /// it (`OrderStatus::can_become`), records the change as a new event
    /// with a larger `seq`, commits, then announces the event. Otherwise
    /// nothing changes: `NotFound` or `InvalidTransition`.
    fn set_status(
        &self,
        id: &str,
        change: StatusChange,
    ) -> impl Future<Output = Result<StatusEvent, StorageError>> + Send;

    /// The order's events with `seq` above `after_seq`, in `seq` order:
    /// how a status stream resumes after a dropped connection.
    fn events_after(
        &self,
        id: &str,
        after_seq: i64,
    ) -> impl Future<Output = Result<Vec<StatusEvent>, StorageError>> + Send;
}

/// The kitchen's switches (intake paused, items sold out) and its undo.
pub trait KitchenStore {
    /// The switches as last committed by any replica.
    fn controls(&self) -> impl Future<Output = Result<KitchenControls, StorageError>> + Send;

    /// Flips a switch durably, then tells every replica (this one too)
    /// through `EventBus::controls_changed` to re-read the switches.
    fn change_controls(
        &self,
        change: ControlChange,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// The order made ready most recently that is still ready: what the
    /// kitchen's "undo" takes back.
    fn last_bumped(&self) -> impl Future<Output = Result<Option<String>, StorageError>> + Send;
}

/// What the admin pages keep and read.
pub trait AdminStore {
    /// Every table, in no particular order.
    fn tables(&self) -> impl Future<Output = Result<Vec<DiningTable>, StorageError>> + Send;

    /// The table with `id`, read from the database on every call, so a
    /// table created on another replica takes orders at once.
    fn table(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<DiningTable>, StorageError>> + Send;

    /// Creates or replaces the table with `table.id`. A new table gets a
    /// random code from the database (`table.code` is not written); a
    /// replaced one keeps its code.
    fn put_table(
        &self,
        table: DiningTable,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Replaces the table's code with `code` (its QR code is to be
    /// reprinted); whether there was such a table.
    fn new_table_code(
        &self,
        id: &str,
        code: &str,
    ) -> impl Future<Output = Result<bool, StorageError>> + Send;

    /// Deletes the table; whether there was one.
    fn delete_table(&self, id: &str) -> impl Future<Output = Result<bool, StorageError>> + Send;

    /// Adds `counts` to the stored per-minute counts: replicas sum, never
    /// overwrite each other.
    fn add_counts(
        &self,
        counts: Vec<MinuteCount>,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// The orders of trading day `business_day` with their first `ready`,
    /// and the counts of the minutes in `[from, to)`: the same day's span.
    fn day_records(
        &self,
        business_day: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> impl Future<Output = Result<DayRecords, StorageError>> + Send;

    /// How many orders trading day `business_day` has.
    fn day_order_count(
        &self,
        business_day: &str,
    ) -> impl Future<Output = Result<i64, StorageError>> + Send;

    /// Stores orders of the past as they happened, each numbered within its
    /// day and with its events at their times, all or none (the demo's rush).
    fn import_past(
        &self,
        orders: Vec<PastOrder>,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;
}

/// Staff login sessions, shared by every replica: a logout on one ends the
/// session on all.
pub trait SessionStore {
    /// Stores a new session, and forgets the sessions that have expired by
    /// its start: logins are rare, so this is where the purge costs nothing.
    fn create_session(
        &self,
        session: StoredSession,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// The session whose id hashes to `id_hash`, if it is stored. Expiry is
    /// the caller's to judge (`auth::session`): a stored session may be old.
    fn session(
        &self,
        id_hash: [u8; 32],
    ) -> impl Future<Output = Result<Option<StoredSession>, StorageError>> + Send;

    /// Forgets a session (logout); whether there was one.
    fn delete_session(
        &self,
        id_hash: [u8; 32],
    ) -> impl Future<Output = Result<bool, StorageError>> + Send;
}

/// A whole backend: every part of the contract, and its lifecycle.
pub trait Backend:
    OrderStore
    + KitchenStore
    + AdminStore
    + SessionStore
    + PaymentStore
    + VisitStore
    + CallStore
    + CartStore
    + Clone
    + Send
    + Sync
{
    /// A cheap round trip to the database, for readiness.
    fn ping(&self) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Finishes every write already accepted, then lets go of the database.
    fn close(&self) -> impl Future<Output = Result<(), StorageError>> + Send;
}

/// Orders' payments: every update, from whatever source, goes through
/// [`PaymentStore::apply_payment`], one transaction that locks the order and
/// its payment, decides with `payments::transition::decide`, and stores the
/// payment, a new attempt, the order's move and an event line together.
pub trait PaymentStore {
    /// The order's payment as stored; `None` before its first payment step.
    fn payment(
        &self,
        order_id: &str,
    ) -> impl Future<Output = Result<Option<StoredPayment>, StorageError>> + Send;

    /// Applies `update` to the order's payment (created from the order's
    /// total on its first update) in one commit, durable before it returns;
    /// the order's status event, if it moved, is announced after the commit.
    /// A refused update changes nothing but its event line. `NotFound` when
    /// there is no such order.
    fn apply_payment(
        &self,
        order_id: &str,
        update: PaymentUpdate,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Applied, StorageError>> + Send;

    /// Keeps the provider's handle (Stripe's session id…) of an attempt.
    fn set_attempt_handle(
        &self,
        reference: MerchantRef,
        handle: String,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Counts one query of an attempt, for the query schedule.
    fn count_query(
        &self,
        reference: MerchantRef,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Payments that need the server: an attempt pending or failed (to ask
    /// or close), a refund not confirmed, money kept for a cancelled order.
    fn unsettled_payments(
        &self,
    ) -> impl Future<Output = Result<Vec<Unsettled>, StorageError>> + Send;

    /// Every order awaiting payment with its payment's state, oldest first,
    /// in one read: the counter's strip on the kitchen display, which every
    /// display re-reads on every event.
    fn awaiting_payment(
        &self,
    ) -> impl Future<Output = Result<Vec<OrderAndPayment>, StorageError>> + Send;

    /// Orders still awaiting payment that arrived before `before`.
    fn unpaid_orders(
        &self,
        before: OffsetDateTime,
    ) -> impl Future<Output = Result<Vec<String>, StorageError>> + Send;

    /// Every event line of the order's payment, oldest first.
    fn payment_events(
        &self,
        order_id: &str,
    ) -> impl Future<Output = Result<Vec<PaymentEvent>, StorageError>> + Send;

    /// The payments of trading day `business_day`'s orders, for the
    /// dashboard: all of them counted by state, the captured and refunded
    /// money summed per currency, the captures the notification did not
    /// bring counted (see `CapturedBy`), and the `limit` latest listed,
    /// highest order number first. Orders without a payment step are not
    /// payments and are left out.
    fn day_payments(
        &self,
        business_day: &str,
        limit: u32,
    ) -> impl Future<Output = Result<DayPayments, StorageError>> + Send;
}

/// Table visits (开台 → 清台). A table has at most one open visit, which the
/// database's constraint keeps across replicas; a dine-in order joins its
/// table's open visit in the same commit that stores it (`OrderStore::create`
/// opens one, `VisitOpener::Scan`, when there is none). Every change that
/// the kitchen display shows is announced to every replica's displays.
pub trait VisitStore {
    /// The table's open visit, if it has one.
    fn open_visit(
        &self,
        table_id: &str,
    ) -> impl Future<Output = Result<Option<TableVisit>, StorageError>> + Send;

    /// Opens a visit at the table unless one is open; the open one either
    /// way (two first scans, or a scan racing staff, open one).
    fn open_visit_at(
        &self,
        table_id: &str,
        opener: VisitOpener,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<TableVisit, StorageError>> + Send;

    /// The visit with `id`, open or closed.
    fn visit(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<TableVisit>, StorageError>> + Send;

    /// Every open visit with its orders (and their payments' states),
    /// longest open first, in two reads whatever their number: the
    /// kitchen display re-reads it on every event.
    fn open_visits(&self) -> impl Future<Output = Result<Vec<OpenVisit>, StorageError>> + Send;

    /// Closes the visit, and clears its open calls; whether it was open
    /// (closing twice is no change).
    fn close_visit(
        &self,
        id: &str,
        closer: VisitCloser,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, StorageError>> + Send;

    /// Moves the open visit, with its orders, to `to_table` (换桌), unless
    /// that table has an open visit of its own.
    fn move_visit(
        &self,
        id: &str,
        to_table: &str,
    ) -> impl Future<Output = Result<VisitMove, StorageError>> + Send;

    /// The visit's orders with their payments' states, oldest first, in
    /// one read: what its bill is made of.
    fn visit_orders(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Vec<OrderAndPayment>, StorageError>> + Send;
}

/// Service for the table (催单, 呼叫服务员): calls on a visit until staff
/// clear them. Each change is announced to every replica's displays.
pub trait CallStore {
    /// Records `call` unless its phone's key already made a call, or its
    /// visit has the same call open (same reason and order): that call
    /// then, so retries, five presses and two phones make one.
    fn call_staff(
        &self,
        call: NewCall,
    ) -> impl Future<Output = Result<ServiceCall, StorageError>> + Send;

    /// Every call not cleared, oldest first.
    fn open_calls(&self) -> impl Future<Output = Result<Vec<ServiceCall>, StorageError>> + Send;

    /// Clears the call; whether it was open.
    fn clear_call(
        &self,
        id: &str,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, StorageError>> + Send;
}

/// The shared cart of each table visit (issue 18): one document per visit,
/// changed in one commit per push or press. Every change that commits
/// announces the visit on the `EventBus` (`cart_changed`; PostgreSQL
/// through NOTIFY, so every replica's streams hear it). A closed visit is
/// answered `CartWrite::VisitEnded` and changes nothing; a visit that does
/// not exist is `NotFound`. `line_ttl_secs` is the time to live of the
/// lines of a cart made now (a stored cart keeps its own).
pub trait CartStore {
    /// The visit's cart as last committed (empty if no phone changed it
    /// yet), open or closed; `None` if there is no such visit.
    fn table_cart(
        &self,
        visit_id: &str,
        line_ttl_secs: u32,
    ) -> impl Future<Output = Result<Option<TableCart>, StorageError>> + Send;

    /// Applies a phone's mutations in order (`TableCart::apply`: each
    /// `(phone, seq)` once), in one commit: the cart after.
    fn change_cart(
        &self,
        visit_id: &str,
        mutations: Vec<Mutation>,
        line_ttl_secs: u32,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<CartWrite, StorageError>> + Send;

    /// "Send to kitchen" (`TableCart::send_round`). A round cut now is
    /// priced by `price` and its order stored, numbered and announced in
    /// the same commit as the cut, so a round is never cut without its
    /// order nor ordered twice; a refusal from `price` cuts nothing. A press
    /// naming a round cut before answers that round's order.
    fn send_round(
        &self,
        visit_id: &str,
        request: SendRequest,
        line_ttl_secs: u32,
        now: OffsetDateTime,
        price: RoundPricer,
    ) -> impl Future<Output = Result<CartWrite, StorageError>> + Send;
}
