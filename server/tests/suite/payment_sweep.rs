//! The cashier's sweep and the one door, with the clock in the test's hand:
//! a real store (SQLite, or PostgreSQL under `cargo xtask test`), the
//! providers against the payment sandbox, and instants passed in, so the
//! query schedule, expiry and retries are checked without waiting for them.
//! These are the crash windows: each test stops the work where a crash
//! would, and shows the sweep finishing it.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use wendan_payments::{Amount, Observation, PaymentState, ProviderOutcome, Refusal, Source};
use wendan_protocol::order::OrderMode;
use wendan_protocol::{IdempotencyKey, OrderStatus, PlacedOrder, StatusChange};
use wendan_server::cashier::{Cashier, OpenAttempts};
use wendan_server::payments::transition::{PaymentUpdate, Refused};
use wendan_server::payments::{Channel, Handoff};
use wendan_server::storage::{
    Created, EventBus, NewOrder, OrderStore, PaymentStore, ScopedKey, Storage,
};

use crate::paysim_harness::Harness;
use crate::support::fresh_database;

const TOTAL: i64 = 4_200;

struct Desk {
    harness: Harness,
    storage: Storage,
    cashier: Cashier,
    _dir: tempfile::TempDir,
}

impl Desk {
    async fn open() -> Desk {
        let harness = Harness::start().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let url = fresh_database(&dir).await;
        let storage = Storage::open(&url, EventBus::default(), Arc::new(|_: usize| {}))
            .await
            .expect("open the store");
        let cashier = Cashier::new(Arc::clone(&harness.providers), storage.clone());
        Desk {
            harness,
            storage,
            cashier,
            _dir: dir,
        }
    }

    /// A pickup order awaiting payment, received at `at`; its id.
    async fn order(&self, at: OffsetDateTime) -> String {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let new = NewOrder {
            key: ScopedKey {
                device_id: "device-sweep".into(),
                key: IdempotencyKey::new(&format!("{id}-0123456789")).expect("key"),
            },
            fingerprint: format!("fingerprint-{id}"),
            business_day: "2026-12-03".into(),
            placed_at: at,
            order: PlacedOrder {
                id: id.clone(),
                number: 0,
                status: OrderStatus::AwaitingPayment,
                mode: OrderMode::Pickup,
                table: None,
                pickup_name: Some("Li".into()),
                items: Vec::new(),
                note: None,
                total_minor: TOTAL,
                currency: "CNY".into(),
                received_at: at,
                client_created_at: at,
                status_reason: None,
                visit_id: None,
            },
        };
        match self.storage.create(new).await.expect("stored") {
            Created::New(_) => id,
            Created::Existing(_) => panic!("a fresh key"),
        }
    }

    async fn state(&self, id: &str) -> PaymentState {
        self.storage
            .payment(id)
            .await
            .expect("read")
            .expect("a payment")
            .payment
            .state
    }

    /// The statuses a phone following the order hears, in order.
    async fn heard(&self, id: &str) -> Vec<OrderStatus> {
        let events = self.storage.events_after(id, 0).await.expect("events");
        events.into_iter().map(|event| event.status).collect()
    }

    async fn order_status(&self, id: &str) -> OrderStatus {
        self.storage
            .order(id)
            .await
            .expect("read")
            .expect("order")
            .status
    }

    /// "Pay" with Stripe Checkout and pay in the wallet (notifications go
    /// to the harness's receiver, not to this store: only a query tells it).
    async fn paid_silently(&self, id: &str, now: OffsetDateTime) {
        let started = self
            .cashier
            .pay(id, Channel::StripeCheckout, "Order 1".into(), now)
            .await
            .expect("pay");
        let Handoff::Redirect { url } = started.handoff else {
            panic!("Checkout redirects");
        };
        self.harness.tap(&url, "pay", None).await;
    }

    async fn refunds_in_ledger(&self, id: &str) -> usize {
        let stored = self
            .storage
            .payment(id)
            .await
            .expect("read")
            .expect("payment");
        let attempt = stored.current.expect("attempt").attempt;
        self.harness.ledger_entry(&attempt).await["refunds"]
            .as_array()
            .map_or(0, Vec::len)
    }
}

#[tokio::test]
async fn a_silent_attempt_is_queried_on_schedule_closed_at_expiry_and_the_order_never_cooked() {
    let desk = Desk::open().await;
    let start = OffsetDateTime::now_utc();
    let id = desk.order(start).await;
    desk.cashier
        .pay(&id, Channel::AlipayWap, "Order 1".into(), start)
        .await
        .expect("pay");
    assert_eq!(desk.state(&id).await, PaymentState::Pending);

    // Before the first query is due nothing is asked.
    let swept = desk
        .cashier
        .sweep(start + Duration::seconds(5))
        .await
        .expect("sweep");
    assert_eq!(swept.queried, 0);
    // After 10 s of silence, the provider is asked (the diner has not paid).
    let swept = desk
        .cashier
        .sweep(start + Duration::seconds(11))
        .await
        .expect("sweep");
    assert_eq!(swept.queried, 1, "{swept:?}");
    assert_eq!(desk.state(&id).await, PaymentState::Pending);
    // At the attempt's expiry it is closed (关单): it can never be paid.
    let expired = start + Duration::minutes(16);
    let swept = desk.cashier.sweep(expired).await.expect("sweep");
    assert_eq!(swept.closed, 1, "{swept:?}");
    assert_eq!(desk.state(&id).await, PaymentState::Closed);
    assert_eq!(desk.order_status(&id).await, OrderStatus::AwaitingPayment);
    // Past the unpaid window (the longest attempt, Stripe's hour, and five
    // minutes) the order is cancelled, never reaching the kitchen.
    let too_early = desk
        .cashier
        .sweep(start + Duration::minutes(64))
        .await
        .expect("sweep");
    assert_eq!(too_early.orders_expired, 0);
    let swept = desk
        .cashier
        .sweep(start + Duration::minutes(66))
        .await
        .expect("sweep");
    assert_eq!(swept.orders_expired, 1, "{swept:?}");
    assert_eq!(desk.order_status(&id).await, OrderStatus::Cancelled);
    let open = desk.storage.open_orders().await.expect("board");
    assert!(open.iter().all(|order| order.id != id));
    // A cancelled order takes no payment.
    let refused = desk
        .cashier
        .pay(
            &id,
            Channel::AlipayWap,
            "Order 1".into(),
            start + Duration::minutes(67),
        )
        .await;
    assert!(refused.is_err());
}

#[tokio::test]
async fn a_payment_whose_notification_went_elsewhere_is_found_by_the_sweeps_query() {
    let desk = Desk::open().await;
    let start = OffsetDateTime::now_utc();
    let id = desk.order(start).await;
    desk.paid_silently(&id, start).await;
    assert_eq!(desk.state(&id).await, PaymentState::Pending);
    desk.cashier
        .sweep(start + Duration::seconds(11))
        .await
        .expect("sweep");
    assert_eq!(desk.state(&id).await, PaymentState::Paid);
    assert_eq!(desk.order_status(&id).await, OrderStatus::Received);
    // The phone following the order (its live stream replays these) heard
    // it wait for payment, then reach the kitchen: never `received` unpaid.
    assert_eq!(
        desk.heard(&id).await,
        [OrderStatus::AwaitingPayment, OrderStatus::Received]
    );
}

#[tokio::test]
async fn a_refund_cut_off_by_a_crash_is_asked_for_again_and_happens_once() {
    let desk = Desk::open().await;
    let start = OffsetDateTime::now_utc();
    let id = desk.order(start).await;
    desk.paid_silently(&id, start).await;
    desk.cashier.check(&id, start).await.expect("check");
    assert_eq!(desk.state(&id).await, PaymentState::Paid);
    // The kitchen cancels; the server records the refund and dies before
    // asking the provider.
    desk.storage
        .set_status(
            &id,
            StatusChange {
                status: OrderStatus::Cancelled,
                reason: Some("out of tripe".into()),
            },
        )
        .await
        .expect("cancel");
    let applied = desk
        .storage
        .apply_payment(&id, PaymentUpdate::Refund, start)
        .await
        .expect("refund recorded");
    assert!(applied.outcome.is_ok());
    assert_eq!(desk.state(&id).await, PaymentState::RefundPending);
    assert_eq!(desk.refunds_in_ledger(&id).await, 0);
    // The sweep asks for it (same refund number), once it is confirmed it stops.
    for _ in 0..3 {
        desk.cashier.sweep(start).await.expect("sweep");
    }
    assert_eq!(desk.state(&id).await, PaymentState::Refunded);
    assert_eq!(desk.refunds_in_ledger(&id).await, 1);
}

#[tokio::test]
async fn money_kept_for_a_cancelled_order_is_given_back_by_the_sweep() {
    let desk = Desk::open().await;
    let start = OffsetDateTime::now_utc();
    let id = desk.order(start).await;
    desk.paid_silently(&id, start).await;
    desk.cashier.check(&id, start).await.expect("check");
    // Cancelled without the cashier hearing of it (a crash right after).
    desk.storage
        .set_status(
            &id,
            StatusChange {
                status: OrderStatus::Cancelled,
                reason: Some("closing early".into()),
            },
        )
        .await
        .expect("cancel");
    let swept = desk.cashier.sweep(start).await.expect("sweep");
    assert_eq!(swept.refunds_asked, 1, "{swept:?}");
    assert_eq!(desk.state(&id).await, PaymentState::Refunded);
    assert_eq!(desk.refunds_in_ledger(&id).await, 1);
}

#[tokio::test]
async fn the_same_capture_reported_at_once_by_many_sources_is_applied_once() {
    let desk = Desk::open().await;
    let start = OffsetDateTime::now_utc();
    let id = desk.order(start).await;
    let begun = desk
        .cashier
        .pay(&id, Channel::StripeCheckout, "Order 1".into(), start)
        .await
        .expect("pay");
    let reference = begun.payment.current.expect("attempt").attempt.merchant_ref;
    let capture = |source| Observation {
        source,
        merchant_ref: reference,
        outcome: ProviderOutcome::Paid,
        amount: Some(Amount::cny(TOTAL)),
        transaction_id: Some("pi_sweep".into()),
    };
    // The notification (twice), the query and the diner's return, at once.
    let sources = [
        Source::Notification,
        Source::Notification,
        Source::Query,
        Source::Query,
    ];
    let mut tasks = Vec::new();
    for source in sources {
        let storage = desk.storage.clone();
        let id = id.clone();
        let update = PaymentUpdate::Observe(capture(source));
        tasks.push(tokio::spawn(async move {
            storage.apply_payment(&id, update, start).await
        }));
    }
    let mut accepted = 0;
    let mut moved_order = 0;
    for task in tasks {
        let applied = task.await.expect("task").expect("stored");
        match applied.outcome {
            Ok(decision) => {
                accepted += 1;
                moved_order += usize::from(decision.order.is_some());
            }
            Err(Refused::Payment(Refusal::NoChange { .. })) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!((accepted, moved_order), (1, 1));
    assert_eq!(desk.order_status(&id).await, OrderStatus::Received);
    let events = desk.storage.payment_events(&id).await.expect("events");
    assert_eq!(
        events.iter().filter(|event| event.accepted).count(),
        2,
        "begin + one capture"
    );
    assert_eq!(events.len(), 1 + sources.len());
}

#[tokio::test]
async fn reconciliation_repairs_the_days_payments_at_once_and_leaves_other_days_alone() {
    let desk = Desk::open().await;
    let start = OffsetDateTime::now_utc();
    let today = desk.order(start).await;
    let yesterday = desk.order(start - Duration::days(1)).await;
    desk.paid_silently(&today, start).await;
    desk.paid_silently(&yesterday, start).await;
    // One second later: long before the sweep's schedule would ask.
    let report = desk
        .cashier
        .reconcile(
            start - Duration::hours(1),
            start + Duration::hours(1),
            start + Duration::seconds(1),
            OpenAttempts::Keep,
        )
        .await
        .expect("reconcile");
    assert_eq!(report.examined, 1, "{report:?}");
    assert_eq!(
        report.repaired,
        [(today.clone(), PaymentState::Pending, PaymentState::Paid)]
    );
    assert!(report.unknown.is_empty(), "{report:?}");
    assert_eq!(desk.order_status(&today).await, OrderStatus::Received);
    // The other day's payment is not touched.
    assert_eq!(desk.state(&yesterday).await, PaymentState::Pending);

    // A payment nobody paid stays unknown until it expires, then is closed.
    let unpaid = desk.order(start).await;
    desk.cashier
        .pay(&unpaid, Channel::AlipayWap, "Order 3".into(), start)
        .await
        .expect("pay");
    let window = (start - Duration::hours(1), start + Duration::hours(1));
    let report = desk
        .cashier
        .reconcile(
            window.0,
            window.1,
            start + Duration::seconds(2),
            OpenAttempts::Keep,
        )
        .await
        .expect("reconcile");
    assert_eq!(report.unknown, std::slice::from_ref(&unpaid));
    let report = desk
        .cashier
        .reconcile(
            window.0,
            window.1,
            start + Duration::minutes(16),
            OpenAttempts::Keep,
        )
        .await
        .expect("reconcile");
    assert_eq!(
        report.repaired,
        [(unpaid.clone(), PaymentState::Pending, PaymentState::Closed)]
    );
    assert!(report.unknown.is_empty(), "{report:?}");

    // Closing the day closes an attempt still within its lifetime (a Stripe
    // Checkout session lives at least 30 minutes).
    let walked_away = desk.order(start).await;
    desk.cashier
        .pay(
            &walked_away,
            Channel::StripeCheckout,
            "Order 4".into(),
            start,
        )
        .await
        .expect("pay");
    let report = desk
        .cashier
        .reconcile(
            window.0,
            window.1,
            start + Duration::seconds(3),
            OpenAttempts::Close,
        )
        .await
        .expect("reconcile");
    assert_eq!(
        report.repaired,
        [(
            walked_away.clone(),
            PaymentState::Pending,
            PaymentState::Closed
        )]
    );
    assert!(report.unknown.is_empty(), "{report:?}");
}
