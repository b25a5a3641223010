//! `Storage`, the configured backend, keeping the contract by handing each
//! call to the backend's implementation of the same trait method.

use std::path::Path;

use time::OffsetDateTime;
use wendan_payments::MerchantRef;
use wendan_protocol::{
    PlacedOrder, ServiceCall, StatusChange, TableVisit, VisitCloser, VisitOpener,
};

use super::payments::{Applied, DayPayments, PaymentEvent, StoredPayment, Unsettled};
use super::postgres::ListenerHealth;
use super::sqlite::WriterQueue;
use super::visits::{NewCall, OpenVisit, OrderAndPayment, VisitMove};
use super::{
    AdminStore, Backend, BatchObserver, CallStore, CartStore, ControlChange, Created, EventBus,
    KitchenStore, NewOrder, OrderStore, PastOrder, PaymentStore, PostgresStore, ScopedKey,
    SessionStore, SqliteStore, StatusEvent, StorageError, StoredAnswer, StoredSession, VisitStore,
};
use crate::dashboard::{DayRecords, MinuteCount};
use crate::kitchen::controls::KitchenControls;
use crate::payments::transition::PaymentUpdate;
use crate::storage::carts::{CartWrite, RoundPricer};
use crate::tables::DiningTable;
use wendan_tablecart::{Mutation, SendRequest, TableCart};

/// The configured backend. An enum rather than a trait object: backends are
/// few and known, calls stay static, and the futures stay `Send` without
/// boxing.
#[derive(Clone)]
pub enum Storage {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Storage {
    /// Opens `url` (`sqlite://PATH` or `postgres://…`), creating and
    /// migrating it as needed. Commits are announced on `events`; the sizes
    /// of committed groups go to `observe_batch`.
    pub async fn open(
        url: &str,
        events: EventBus,
        observe_batch: BatchObserver,
    ) -> Result<Self, StorageError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            let store = SqliteStore::open(Path::new(path), events, observe_batch)?;
            return Ok(Storage::Sqlite(store));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Storage::Postgres(PostgresStore::open(url, events).await?));
        }
        Err(StorageError::UnsupportedUrl(url.to_owned()))
    }

    /// SQLite's writer queue; `None` on PostgreSQL, where each request
    /// commits on its own pooled connection and nothing queues in the server.
    pub fn writer_queue(&self) -> Option<WriterQueue> {
        match self {
            Storage::Sqlite(store) => Some(store.writer_queue()),
            Storage::Postgres(_) => None,
        }
    }

    /// PostgreSQL's LISTEN connection; `None` on SQLite, whose one server
    /// has no other replica to hear.
    pub fn notify_listener(&self) -> Option<ListenerHealth> {
        match self {
            Storage::Sqlite(_) => None,
            Storage::Postgres(store) => Some(store.listener()),
        }
    }
}

/// Calls the same trait method on whichever backend is configured.
macro_rules! dispatch {
    ($trait:ident, $self:ident.$method:ident($($arg:expr),*)) => {
        match $self {
            Storage::Sqlite(store) => $trait::$method(store, $($arg),*).await,
            Storage::Postgres(store) => $trait::$method(store, $($arg),*).await,
        }
    };
}

impl OrderStore for Storage {
    async fn find_by_key(&self, key: &ScopedKey) -> Result<Option<StoredAnswer>, StorageError> {
        dispatch!(OrderStore, self.find_by_key(key))
    }

    async fn create(&self, order: NewOrder) -> Result<Created, StorageError> {
        dispatch!(OrderStore, self.create(order))
    }

    async fn order(&self, id: &str) -> Result<Option<PlacedOrder>, StorageError> {
        dispatch!(OrderStore, self.order(id))
    }

    async fn open_orders(&self) -> Result<Vec<PlacedOrder>, StorageError> {
        dispatch!(OrderStore, self.open_orders())
    }

    async fn set_status(
        &self,
        id: &str,
        change: StatusChange,
    ) -> Result<StatusEvent, StorageError> {
        dispatch!(OrderStore, self.set_status(id, change))
    }

    async fn events_after(
        &self,
        id: &str,
        after_seq: i64,
    ) -> Result<Vec<StatusEvent>, StorageError> {
        dispatch!(OrderStore, self.events_after(id, after_seq))
    }
}

impl KitchenStore for Storage {
    async fn controls(&self) -> Result<KitchenControls, StorageError> {
        dispatch!(KitchenStore, self.controls())
    }

    async fn change_controls(&self, change: ControlChange) -> Result<(), StorageError> {
        dispatch!(KitchenStore, self.change_controls(change))
    }

    async fn last_bumped(&self) -> Result<Option<String>, StorageError> {
        dispatch!(KitchenStore, self.last_bumped())
    }
}

impl AdminStore for Storage {
    async fn tables(&self) -> Result<Vec<DiningTable>, StorageError> {
        dispatch!(AdminStore, self.tables())
    }

    async fn table(&self, id: &str) -> Result<Option<DiningTable>, StorageError> {
        dispatch!(AdminStore, self.table(id))
    }

    async fn put_table(&self, table: DiningTable) -> Result<(), StorageError> {
        dispatch!(AdminStore, self.put_table(table))
    }

    async fn new_table_code(&self, id: &str, code: &str) -> Result<bool, StorageError> {
        dispatch!(AdminStore, self.new_table_code(id, code))
    }

    async fn delete_table(&self, id: &str) -> Result<bool, StorageError> {
        dispatch!(AdminStore, self.delete_table(id))
    }

    async fn add_counts(&self, counts: Vec<MinuteCount>) -> Result<(), StorageError> {
        dispatch!(AdminStore, self.add_counts(counts))
    }

    async fn day_records(
        &self,
        business_day: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<DayRecords, StorageError> {
        dispatch!(AdminStore, self.day_records(business_day, from, to))
    }

    async fn day_order_count(&self, business_day: &str) -> Result<i64, StorageError> {
        dispatch!(AdminStore, self.day_order_count(business_day))
    }

    async fn import_past(&self, orders: Vec<PastOrder>) -> Result<(), StorageError> {
        dispatch!(AdminStore, self.import_past(orders))
    }
}

impl SessionStore for Storage {
    async fn create_session(&self, session: StoredSession) -> Result<(), StorageError> {
        dispatch!(SessionStore, self.create_session(session))
    }

    async fn session(&self, id_hash: [u8; 32]) -> Result<Option<StoredSession>, StorageError> {
        dispatch!(SessionStore, self.session(id_hash))
    }

    async fn delete_session(&self, id_hash: [u8; 32]) -> Result<bool, StorageError> {
        dispatch!(SessionStore, self.delete_session(id_hash))
    }
}

impl Backend for Storage {
    async fn ping(&self) -> Result<(), StorageError> {
        dispatch!(Backend, self.ping())
    }

    async fn close(&self) -> Result<(), StorageError> {
        dispatch!(Backend, self.close())
    }
}

impl PaymentStore for Storage {
    async fn payment(&self, order_id: &str) -> Result<Option<StoredPayment>, StorageError> {
        dispatch!(PaymentStore, self.payment(order_id))
    }

    async fn apply_payment(
        &self,
        order_id: &str,
        update: PaymentUpdate,
        now: OffsetDateTime,
    ) -> Result<Applied, StorageError> {
        dispatch!(PaymentStore, self.apply_payment(order_id, update, now))
    }

    async fn set_attempt_handle(
        &self,
        reference: MerchantRef,
        handle: String,
    ) -> Result<(), StorageError> {
        dispatch!(PaymentStore, self.set_attempt_handle(reference, handle))
    }

    async fn count_query(&self, reference: MerchantRef) -> Result<(), StorageError> {
        dispatch!(PaymentStore, self.count_query(reference))
    }

    async fn unsettled_payments(&self) -> Result<Vec<Unsettled>, StorageError> {
        dispatch!(PaymentStore, self.unsettled_payments())
    }

    async fn awaiting_payment(&self) -> Result<Vec<OrderAndPayment>, StorageError> {
        dispatch!(PaymentStore, self.awaiting_payment())
    }

    async fn unpaid_orders(&self, before: OffsetDateTime) -> Result<Vec<String>, StorageError> {
        dispatch!(PaymentStore, self.unpaid_orders(before))
    }

    async fn payment_events(&self, order_id: &str) -> Result<Vec<PaymentEvent>, StorageError> {
        dispatch!(PaymentStore, self.payment_events(order_id))
    }

    async fn day_payments(
        &self,
        business_day: &str,
        limit: u32,
    ) -> Result<DayPayments, StorageError> {
        dispatch!(PaymentStore, self.day_payments(business_day, limit))
    }
}

impl VisitStore for Storage {
    async fn open_visit(&self, table_id: &str) -> Result<Option<TableVisit>, StorageError> {
        dispatch!(VisitStore, self.open_visit(table_id))
    }

    async fn open_visit_at(
        &self,
        table_id: &str,
        opener: VisitOpener,
        now: OffsetDateTime,
    ) -> Result<TableVisit, StorageError> {
        dispatch!(VisitStore, self.open_visit_at(table_id, opener, now))
    }

    async fn visit(&self, id: &str) -> Result<Option<TableVisit>, StorageError> {
        dispatch!(VisitStore, self.visit(id))
    }

    async fn open_visits(&self) -> Result<Vec<OpenVisit>, StorageError> {
        dispatch!(VisitStore, self.open_visits())
    }

    async fn close_visit(
        &self,
        id: &str,
        closer: VisitCloser,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        dispatch!(VisitStore, self.close_visit(id, closer, now))
    }

    async fn move_visit(&self, id: &str, to_table: &str) -> Result<VisitMove, StorageError> {
        dispatch!(VisitStore, self.move_visit(id, to_table))
    }

    async fn visit_orders(&self, id: &str) -> Result<Vec<OrderAndPayment>, StorageError> {
        dispatch!(VisitStore, self.visit_orders(id))
    }
}

impl CallStore for Storage {
    async fn call_staff(&self, call: NewCall) -> Result<ServiceCall, StorageError> {
        dispatch!(CallStore, self.call_staff(call))
    }

    async fn open_calls(&self) -> Result<Vec<ServiceCall>, StorageError> {
        dispatch!(CallStore, self.open_calls())
    }

    async fn clear_call(&self, id: &str, now: OffsetDateTime) -> Result<bool, StorageError> {
        dispatch!(CallStore, self.clear_call(id, now))
    }
}

impl CartStore for Storage {
    async fn table_cart(
        &self,
        visit_id: &str,
        line_ttl_secs: u32,
    ) -> Result<Option<TableCart>, StorageError> {
        dispatch!(CartStore, self.table_cart(visit_id, line_ttl_secs))
    }

    async fn change_cart(
        &self,
        visit_id: &str,
        mutations: Vec<Mutation>,
        line_ttl_secs: u32,
        now: OffsetDateTime,
    ) -> Result<CartWrite, StorageError> {
        dispatch!(
            CartStore,
            self.change_cart(visit_id, mutations, line_ttl_secs, now)
        )
    }

    async fn send_round(
        &self,
        visit_id: &str,
        request: SendRequest,
        line_ttl_secs: u32,
        now: OffsetDateTime,
        price: RoundPricer,
    ) -> Result<CartWrite, StorageError> {
        dispatch!(
            CartStore,
            self.send_round(visit_id, request, line_ttl_secs, now, price)
        )
    }
}
