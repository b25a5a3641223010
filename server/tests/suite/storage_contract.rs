//! The storage contract (`wendan_server::storage::contract`), promise by
//! promise, against every backend: SQLite always, PostgreSQL too when
//! `WENDAN_TEST_POSTGRES` names a server. Each check is written once, for
//! any `Backend`; a new backend joins by being opened in `on_every_backend!`.

use std::sync::Arc;
use std::time::Duration;

use time::{Duration as Span, OffsetDateTime};
use tokio::sync::broadcast;
use wendan_payments::{Amount, MerchantRef, Observation, PaymentState, ProviderOutcome, Source};
use wendan_protocol::order::OrderMode;
use wendan_protocol::{IdempotencyKey, OrderStatus, PlacedOrder, StatusChange};
use wendan_server::dashboard::{CountKind, MinuteCount};
use wendan_server::payments::transition::{AttemptPlan, PaymentUpdate};
use wendan_server::payments::{Channel, ProviderId};
use wendan_server::storage::payments::{CapturedBy, DayPayments};
use wendan_server::storage::{
    Backend, ControlChange, Created, EventBus, NewOrder, PastOrder, PostgresStore, ScopedKey,
    SqliteStore, StatusEvent, StorageError, StoredSession,
};
use wendan_server::tables::DiningTable;

use crate::support::{fresh_postgres_database, postgres_base_url};

/// Runs `check(&store, &events)` on a fresh database of every backend under
/// test, `events` being the bus the store announces its commits on.
macro_rules! on_every_backend {
    ($check:ident) => {{
        let dir = tempfile::tempdir().expect("temp dir");
        let events = EventBus::default();
        let path = dir.path().join("contract.sqlite3");
        let sqlite =
            SqliteStore::open(&path, events.clone(), Arc::new(|_: usize| {})).expect("open SQLite");
        $check(&sqlite, &events).await;
        sqlite.close().await.expect("close SQLite");
        if let Some(base) = postgres_base_url() {
            let events = EventBus::default();
            let url = fresh_postgres_database(&base).await;
            let postgres = PostgresStore::open(&url, events.clone())
                .await
                .expect("open PostgreSQL");
            $check(&postgres, &events).await;
            postgres.close().await.expect("close PostgreSQL");
        }
    }};
}

const DAY: &str = "2026-03-02";

/// A whole second: both backends keep it exactly.
fn at(seconds_after_noon: i64) -> OffsetDateTime {
    time::macros::datetime!(2026-03-02 04:00 UTC) + Span::seconds(seconds_after_noon)
}

/// `name`'s key from `device`, padded to a valid key's length.
fn key(device: &str, name: &str) -> ScopedKey {
    ScopedKey {
        device_id: device.to_owned(),
        key: IdempotencyKey::new(&format!("{name}-0123456789abcdef")).expect("valid key"),
    }
}

/// An order as intake hands it to the store: priced, not yet numbered.
fn new_order(id: &str, key: ScopedKey, day: &str, received: OffsetDateTime) -> NewOrder {
    NewOrder {
        key,
        fingerprint: format!("fingerprint-{id}"),
        business_day: day.to_owned(),
        placed_at: received - Span::seconds(2),
        order: PlacedOrder {
            id: id.to_owned(),
            number: 0,
            status: OrderStatus::Received,
            mode: OrderMode::Pickup,
            table: None,
            pickup_name: Some("Li".to_owned()),
            items: Vec::new(),
            note: None,
            total_minor: 4_800,
            currency: "CNY".to_owned(),
            received_at: received,
            client_created_at: received - Span::seconds(2),
            status_reason: None,
            visit_id: None,
        },
    }
}

fn change(status: OrderStatus) -> StatusChange {
    StatusChange {
        status,
        reason: None,
    }
}

/// The first answer of a `New` order, failing the test on `Existing`.
fn created_new(created: Created) -> wendan_server::storage::StoredAnswer {
    match created {
        Created::New(answer) => answer,
        Created::Existing(answer) => panic!("expected a new order, got {answer:?}"),
    }
}

fn number_of(answer: &wendan_server::storage::StoredAnswer) -> u32 {
    let order: PlacedOrder = serde_json::from_slice(&answer.body).expect("the answer is an order");
    order.number
}

/// The next status event announced for `order_id`; PostgreSQL's come
/// through NOTIFY, so they may take a moment.
async fn announced(events: &mut broadcast::Receiver<StatusEvent>, order_id: &str) -> StatusEvent {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let event = events.recv().await.expect("the bus is open");
            if event.order_id == order_id {
                return event;
            }
        }
    })
    .await
    .expect("the event is announced")
}

async fn create_then_find_by_key_replays_the_first_answer(store: &impl Backend, bus: &EventBus) {
    let mut events = bus.subscribe();
    let diner = key("device-1", "key-create-0001");
    assert_eq!(store.find_by_key(&diner).await.expect("find"), None);
    let new = new_order("order-a", diner.clone(), DAY, at(0));
    let answer = created_new(store.create(new).await.expect("create"));
    assert_eq!(answer.status, 201);
    assert_eq!(answer.order_id, "order-a");
    assert_eq!(answer.fingerprint, "fingerprint-order-a");
    assert_eq!(number_of(&answer), 1, "numbered by the store");
    assert_eq!(
        store.find_by_key(&diner).await.expect("find"),
        Some(answer.clone()),
        "the key finds the first answer, byte for byte"
    );
    let stored = store.order("order-a").await.expect("read").expect("stored");
    assert_eq!((stored.number, stored.status), (1, OrderStatus::Received));
    assert_eq!(store.order("no-such-order").await.expect("read"), None);
    let event = announced(&mut events, "order-a").await;
    assert_eq!(event.status, OrderStatus::Received);
}

#[tokio::test]
async fn contract_create_then_find_by_key_replays_the_first_answer() {
    on_every_backend!(create_then_find_by_key_replays_the_first_answer);
}

async fn the_same_key_twice_makes_one_order(store: &impl Backend, _: &EventBus) {
    let diner = key("device-1", "key-twice-0001");
    let first = created_new(
        store
            .create(new_order("order-a", diner.clone(), DAY, at(0)))
            .await
            .expect("create"),
    );
    let again = store
        .create(new_order("order-b", diner.clone(), DAY, at(5)))
        .await
        .expect("create again");
    assert_eq!(again, Created::Existing(first), "the first answer, again");
    assert_eq!(store.order("order-b").await.expect("read"), None);
    assert_eq!(store.day_order_count(DAY).await.expect("count"), 1);
    let other_device = key("device-2", "key-twice-0001");
    let theirs = store
        .create(new_order("order-c", other_device, DAY, at(9)))
        .await
        .expect("create");
    assert!(
        matches!(theirs, Created::New(_)),
        "a key is scoped by its device: {theirs:?}"
    );
}

#[tokio::test]
async fn contract_the_same_key_twice_makes_one_order() {
    on_every_backend!(the_same_key_twice_makes_one_order);
}

async fn orders_are_numbered_per_day_without_gaps(store: &impl Backend, _: &EventBus) {
    let mut numbers = Vec::new();
    for n in 0..3 {
        let new = new_order(
            &format!("order-{n}"),
            key("device-1", &format!("key-number-000{n}")),
            DAY,
            at(n),
        );
        numbers.push(number_of(&created_new(
            store.create(new).await.expect("create"),
        )));
    }
    let next_day = new_order(
        "order-next-day",
        key("device-1", "key-number-0009"),
        "2026-03-03",
        at(86_400),
    );
    numbers.push(number_of(&created_new(
        store.create(next_day).await.expect("create"),
    )));
    assert_eq!(numbers, [1, 2, 3, 1]);
}

#[tokio::test]
async fn contract_orders_are_numbered_per_day_without_gaps() {
    on_every_backend!(orders_are_numbered_per_day_without_gaps);
}

async fn set_status_follows_the_transitions_and_records_events(
    store: &impl Backend,
    bus: &EventBus,
) {
    let mut events = bus.subscribe();
    let new = new_order("order-a", key("device-1", "key-status-0001"), DAY, at(0));
    created_new(store.create(new).await.expect("create"));
    let received = announced(&mut events, "order-a").await;
    let preparing = store
        .set_status("order-a", change(OrderStatus::Preparing))
        .await
        .expect("received → preparing");
    assert_eq!(announced(&mut events, "order-a").await.seq, preparing.seq);
    let ready = store
        .set_status("order-a", change(OrderStatus::Ready))
        .await
        .expect("preparing → ready");
    assert!(received.seq < preparing.seq && preparing.seq < ready.seq);
    assert_eq!(
        store.last_bumped().await.expect("read"),
        Some("order-a".to_owned())
    );
    let refused = store
        .set_status("order-a", change(OrderStatus::Received))
        .await;
    assert!(
        matches!(
            refused,
            Err(StorageError::InvalidTransition {
                from: OrderStatus::Ready,
                to: OrderStatus::Received
            })
        ),
        "{refused:?}"
    );
    let missing = store
        .set_status("no-such-order", change(OrderStatus::Preparing))
        .await;
    assert!(
        matches!(&missing, Err(StorageError::NotFound(id)) if id == "no-such-order"),
        "{missing:?}"
    );
    let statuses = |events: Vec<StatusEvent>| {
        events
            .into_iter()
            .map(|event| (event.seq, event.status))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        statuses(store.events_after("order-a", 0).await.expect("events")),
        [
            (received.seq, OrderStatus::Received),
            (preparing.seq, OrderStatus::Preparing),
            (ready.seq, OrderStatus::Ready)
        ],
        "every change once, in order; the refused ones not at all"
    );
    assert_eq!(
        statuses(
            store
                .events_after("order-a", preparing.seq)
                .await
                .expect("events")
        ),
        [(ready.seq, OrderStatus::Ready)],
        "a stream resumes after the last event it saw"
    );
    let cancelled = store
        .set_status(
            "order-a",
            StatusChange {
                status: OrderStatus::Cancelled,
                reason: Some("out of tripe".to_owned()),
            },
        )
        .await
        .expect("ready → cancelled");
    assert_eq!(cancelled.reason.as_deref(), Some("out of tripe"));
    let order = store.order("order-a").await.expect("read").expect("stored");
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.status_reason.as_deref(), Some("out of tripe"));
    assert_eq!(
        store.last_bumped().await.expect("read"),
        None,
        "no longer ready"
    );
}

#[tokio::test]
async fn contract_set_status_follows_the_transitions_and_records_events() {
    on_every_backend!(set_status_follows_the_transitions_and_records_events);
}

async fn open_orders_are_the_unfinished_oldest_first(store: &impl Backend, _: &EventBus) {
    for (id, second) in [("order-late", 30), ("order-early", 10), ("order-done", 20)] {
        let key = key("device-1", &format!("key-open-{id}"));
        created_new(
            store
                .create(new_order(id, key, DAY, at(second)))
                .await
                .expect("create"),
        );
    }
    for status in [OrderStatus::Ready, OrderStatus::Completed] {
        store
            .set_status("order-done", change(status))
            .await
            .expect("move on");
    }
    let open: Vec<String> = store
        .open_orders()
        .await
        .expect("read")
        .into_iter()
        .map(|order| order.id)
        .collect();
    assert_eq!(open, ["order-early", "order-late"]);
}

#[tokio::test]
async fn contract_open_orders_are_the_unfinished_oldest_first() {
    on_every_backend!(open_orders_are_the_unfinished_oldest_first);
}

fn tripe(sold_out: bool) -> ControlChange {
    ControlChange::SoldOut {
        item_id: "beef-tripe".to_owned(),
        sold_out,
    }
}

async fn controls_are_kept_and_announced(store: &impl Backend, bus: &EventBus) {
    let mut changed = bus.subscribe_controls();
    let controls = store.controls().await.expect("read");
    assert_eq!((controls.paused, controls.sold_out.len()), (None, 0));
    store
        .change_controls(ControlChange::Pause(Some("back at 13:00".to_owned())))
        .await
        .expect("pause");
    store.change_controls(tripe(true)).await.expect("sold out");
    let controls = store.controls().await.expect("read");
    assert_eq!(controls.paused.as_deref(), Some("back at 13:00"));
    assert_eq!(controls.sold_out.get("beef-tripe"), Some(&true));
    tokio::time::timeout(Duration::from_secs(10), changed.recv())
        .await
        .expect("the change is announced")
        .expect("the bus is open");
    store
        .change_controls(ControlChange::Pause(None))
        .await
        .expect("resume");
    store.change_controls(tripe(false)).await.expect("back on");
    let controls = store.controls().await.expect("read");
    assert_eq!(controls.paused, None);
    assert_eq!(controls.sold_out.get("beef-tripe"), Some(&false));
}

#[tokio::test]
async fn contract_controls_are_kept_and_announced() {
    on_every_backend!(controls_are_kept_and_announced);
}

fn session(id: u8, created_at: OffsetDateTime, lifetime: Span) -> StoredSession {
    StoredSession {
        id_hash: [id; 32],
        scope: "kitchen".to_owned(),
        binding: [id.wrapping_add(100); 32],
        created_at,
        expires_at: created_at + lifetime,
    }
}

async fn sessions_are_created_found_revoked_and_purged(store: &impl Backend, _: &EventBus) {
    let first = session(1, at(0), Span::hours(1));
    store.create_session(first.clone()).await.expect("create");
    assert_eq!(
        store.session(first.id_hash).await.expect("read"),
        Some(first.clone())
    );
    assert_eq!(store.session([9; 32]).await.expect("read"), None);
    assert!(store.delete_session(first.id_hash).await.expect("delete"));
    assert!(
        !store.delete_session(first.id_hash).await.expect("delete"),
        "already gone"
    );
    assert_eq!(store.session(first.id_hash).await.expect("read"), None);

    let expiring = session(2, at(0), Span::hours(1));
    store
        .create_session(expiring.clone())
        .await
        .expect("create");
    let later = session(3, at(0) + Span::hours(2), Span::hours(1));
    store.create_session(later.clone()).await.expect("create");
    assert_eq!(
        store.session(expiring.id_hash).await.expect("read"),
        None,
        "a login purges the sessions expired by its start"
    );
    assert_eq!(
        store.session(later.id_hash).await.expect("read"),
        Some(later)
    );
}

#[tokio::test]
async fn contract_sessions_are_created_found_revoked_and_purged() {
    on_every_backend!(sessions_are_created_found_revoked_and_purged);
}

async fn tables_are_put_replaced_and_deleted(store: &impl Backend, _: &EventBus) {
    assert_eq!(store.tables().await.expect("read"), []);
    let window = DiningTable {
        id: "A1".to_owned(),
        label: Some("窗边 Window".to_owned()),
        seats: Some(4),
        code: "not-written".to_owned(),
    };
    store.put_table(window.clone()).await.expect("put");
    let stored = store.table("A1").await.expect("read").expect("there");
    // The database made the table's code: 128 random bits in 32 hex digits.
    assert_eq!(stored.code.len(), 32, "{}", stored.code);
    assert!(stored.code.bytes().all(|byte| byte.is_ascii_hexdigit()));
    assert_eq!(
        stored,
        DiningTable {
            code: stored.code.clone(),
            ..window.clone()
        }
    );
    let moved = DiningTable {
        label: None,
        seats: Some(6),
        ..window
    };
    store.put_table(moved.clone()).await.expect("replace");
    store
        .put_table(DiningTable {
            id: "B2".to_owned(),
            label: None,
            seats: None,
            code: String::new(),
        })
        .await
        .expect("put");
    let mut tables = store.tables().await.expect("read");
    tables.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(tables.len(), 2);
    assert_eq!(
        tables[0],
        DiningTable {
            code: stored.code.clone(),
            ..moved
        },
        "replaced, not added, and its code kept"
    );
    assert_ne!(tables[1].code, stored.code, "each table its own code");
    assert!(store.new_table_code("A1", "fresh").await.expect("new code"));
    assert_eq!(
        store
            .table("A1")
            .await
            .expect("read")
            .map(|table| table.code),
        Some("fresh".to_owned())
    );
    assert!(!store.new_table_code("Z9", "fresh").await.expect("none"));
    assert!(store.delete_table("A1").await.expect("delete"));
    assert!(!store.delete_table("A1").await.expect("delete"), "gone");
    assert_eq!(store.table("A1").await.expect("read"), None);
}

#[tokio::test]
async fn contract_tables_are_put_replaced_and_deleted() {
    on_every_backend!(tables_are_put_replaced_and_deleted);
}

async fn counts_add_up_and_day_records_join_the_first_ready(store: &impl Backend, _: &EventBus) {
    let minute = at(60).unix_timestamp();
    let count = |kind, count| MinuteCount {
        minute,
        kind,
        count,
    };
    store
        .add_counts(vec![count(CountKind::Replay, 2), count(CountKind::Shed, 1)])
        .await
        .expect("add");
    store
        .add_counts(vec![count(CountKind::Replay, 3)])
        .await
        .expect("add again");
    let past = |id: &str, second, later| PastOrder {
        order: new_order(
            id,
            key("device-1", &format!("key-past-{id}")),
            DAY,
            at(second),
        ),
        later,
    };
    store
        .import_past(vec![
            past(
                "past-a",
                0,
                vec![
                    (OrderStatus::Preparing, at(30)),
                    (OrderStatus::Ready, at(300)),
                    (OrderStatus::Completed, at(400)),
                ],
            ),
            past("past-b", 10, vec![]),
        ])
        .await
        .expect("import");
    assert_eq!(store.day_order_count(DAY).await.expect("count"), 2);
    assert_eq!(
        store
            .order("past-a")
            .await
            .expect("read")
            .map(|order| (order.number, order.status)),
        Some((1, OrderStatus::Completed)),
        "numbered, with its last status"
    );
    let records = store
        .day_records(DAY, at(0), at(3_600))
        .await
        .expect("read");
    let mut counts: Vec<(CountKind, i64)> = records
        .counts
        .iter()
        .map(|count| (count.kind, count.count))
        .collect();
    counts.sort();
    assert_eq!(counts, [(CountKind::Replay, 5), (CountKind::Shed, 1)]);
    let mut orders: Vec<_> = records
        .orders
        .iter()
        .map(|order| (order.received_at, order.ready_at))
        .collect();
    orders.sort();
    assert_eq!(orders, [(at(0), Some(at(300))), (at(10), None)]);
    let elsewhere = store
        .day_records("2026-03-03", at(86_400), at(90_000))
        .await
        .expect("read");
    assert!(elsewhere.orders.is_empty() && elsewhere.counts.is_empty());
}

#[tokio::test]
async fn contract_counts_add_up_and_day_records_join_the_first_ready() {
    on_every_backend!(counts_add_up_and_day_records_join_the_first_ready);
}

/// A new order of `day` with a UUID id (payments are numbered from it); its id.
async fn order_to_pay(store: &impl Backend, day: &str, second: i64) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let created = store
        .create(new_order(&id, key("device-pay", &id), day, at(second)))
        .await
        .expect("create");
    created_new(created);
    id
}

/// "Pay" on `channel`; the new attempt's number.
async fn begin(store: &impl Backend, id: &str, channel: Channel) -> MerchantRef {
    let plan = AttemptPlan {
        channel,
        description: "Order".to_owned(),
        lifetime: Span::minutes(15),
    };
    let applied = store
        .apply_payment(id, PaymentUpdate::Begin(plan), at(100))
        .await
        .expect("begin");
    applied.outcome.expect("begun");
    applied
        .payment
        .current
        .expect("an attempt")
        .attempt
        .merchant_ref
}

async fn observe(store: &impl Backend, id: &str, observation: Observation) {
    let applied = store
        .apply_payment(id, PaymentUpdate::Observe(observation), at(200))
        .await
        .expect("observe");
    applied.outcome.expect("accepted");
}

fn captured(source: Source, merchant_ref: MerchantRef, transaction: &str) -> Observation {
    Observation {
        source,
        merchant_ref,
        outcome: ProviderOutcome::Paid,
        amount: Some(Amount::cny(4_800)),
        transaction_id: Some(transaction.to_owned()),
    }
}

async fn day_payments_count_each_state_and_name_who_captured(store: &impl Backend, _: &EventBus) {
    // #1: paid, announced by the notification, then refunded.
    let notified = order_to_pay(store, DAY, 0).await;
    let reference = begin(store, &notified, Channel::StripeCheckout).await;
    observe(
        store,
        &notified,
        captured(Source::Notification, reference, "pi_notified"),
    )
    .await;
    store
        .apply_payment(&notified, PaymentUpdate::Refund, at(300))
        .await
        .expect("refund")
        .outcome
        .expect("refund asked");
    let order = uuid::Uuid::parse_str(&notified).expect("uuid");
    observe(
        store,
        &notified,
        Observation {
            source: Source::RefundAnswer,
            merchant_ref: MerchantRef::refund(order, 1).expect("refund number"),
            outcome: ProviderOutcome::Refunded,
            amount: Some(Amount::cny(4_800)),
            transaction_id: None,
        },
    )
    .await;
    // #2: paid, found by the server's query (the notification was lost).
    let queried = order_to_pay(store, DAY, 10).await;
    let reference = begin(store, &queried, Channel::AlipayWap).await;
    observe(
        store,
        &queried,
        captured(Source::Query, reference, "2026030222001"),
    )
    .await;
    // #3: still pending.
    let pending = order_to_pay(store, DAY, 20).await;
    begin(store, &pending, Channel::StripeCheckout).await;
    // #4: settled by staff at the counter.
    let counter = order_to_pay(store, DAY, 30).await;
    for update in [
        PaymentUpdate::ChooseCounter,
        PaymentUpdate::SettleAtCounter {
            staff_ref: "kitchen".to_owned(),
        },
    ] {
        store
            .apply_payment(&counter, update, at(100))
            .await
            .expect("counter")
            .outcome
            .expect("accepted");
    }
    // #5 never paid; another day's payment is not this day's.
    order_to_pay(store, DAY, 40).await;
    let other_day = order_to_pay(store, "2026-03-03", 86_400).await;
    begin(store, &other_day, Channel::StripeCheckout).await;

    let day = store.day_payments(DAY, 10).await.expect("read");
    assert_eq!(
        day.states,
        [
            (PaymentState::Pending, 1),
            (PaymentState::Paid, 2),
            (PaymentState::Refunded, 1)
        ]
    );
    assert_eq!(day.count(), 4);
    assert_eq!(day.captured, [Amount::cny(3 * 4_800)]);
    assert_eq!(day.refunded, [Amount::cny(4_800)]);
    assert_eq!(day.repaired, 1, "the query's capture, only");
    let listed: Vec<_> = day
        .latest
        .iter()
        .map(|payment| {
            (
                payment.order_number,
                payment.order_id.as_str(),
                payment.provider,
                payment.state,
                payment.reference.as_deref(),
                payment.captured_by,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (
                4,
                counter.as_str(),
                Some(ProviderId::Counter),
                PaymentState::Paid,
                Some("counter"),
                Some(CapturedBy::Counter)
            ),
            (
                3,
                pending.as_str(),
                Some(ProviderId::Stripe),
                PaymentState::Pending,
                None,
                None
            ),
            (
                2,
                queried.as_str(),
                Some(ProviderId::Alipay),
                PaymentState::Paid,
                Some("2026030222001"),
                Some(CapturedBy::Query)
            ),
            (
                1,
                notified.as_str(),
                Some(ProviderId::Stripe),
                PaymentState::Refunded,
                Some("pi_notified"),
                Some(CapturedBy::Notification)
            ),
        ]
    );
    assert!(day.latest.iter().all(|p| p.amount == Amount::cny(4_800)));
    // The list is bounded, the counts are not.
    let bounded = store.day_payments(DAY, 2).await.expect("read");
    let numbers: Vec<u32> = bounded.latest.iter().map(|p| p.order_number).collect();
    assert_eq!((numbers, bounded.count()), (vec![4, 3], 4));
    let empty = store.day_payments("2026-03-04", 10).await.expect("read");
    assert_eq!(empty, DayPayments::default());
}

#[tokio::test]
async fn contract_day_payments_count_each_state_and_name_who_captured() {
    on_every_backend!(day_payments_count_each_state_and_name_who_captured);
}

async fn ping_answers_while_open(store: &impl Backend, _: &EventBus) {
    store.ping().await.expect("the database answers");
}

#[tokio::test]
async fn contract_ping_answers_while_open() {
    on_every_backend!(ping_answers_while_open);
}

/// A database failure keeps the database's own error as its cause.
#[tokio::test]
async fn contract_a_database_failure_keeps_its_cause() {
    let dir = tempfile::tempdir().expect("temp dir");
    let not_a_database = dir.path().join("not-a-database");
    std::fs::write(&not_a_database, b"this is not SQLite").expect("write");
    let error = SqliteStore::open(
        &not_a_database,
        EventBus::default(),
        Arc::new(|_: usize| {}),
    )
    .err()
    .expect("refused");
    assert!(matches!(error, StorageError::Database(_)), "{error:?}");
    let cause = std::error::Error::source(&error).expect("a cause");
    assert!(
        cause.downcast_ref::<rusqlite::Error>().is_some(),
        "SQLite's own error: {cause:?}"
    );
}
