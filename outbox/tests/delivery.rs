//! The outbox's promises, with a hand-driven clock and a seeded random source.

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use wendan_outbox::random::SplitMix64;
use wendan_outbox::schedule::{due, next_wake, pending_count};
use wendan_outbox::{Backoff, DeliveryState, OutboxEntry, Outcome};
use wendan_protocol::fixtures::{dine_in, line};
use wendan_protocol::placed_order::OrderStatus;
use wendan_protocol::{
    IdempotencyKey, OrderRequest, PlacedOrder, Problem, ProblemType, StatusUpdate,
};

const PLACED: OffsetDateTime = datetime!(2026-11-23 04:00:00 UTC);

fn request(created_at: OffsetDateTime) -> OrderRequest {
    dine_in(vec![line("beef-tripe", 2, &[])], created_at, 7600)
}

fn entry(key: &str, created_at: OffsetDateTime) -> OutboxEntry {
    let key = IdempotencyKey::new(key).expect("valid key");
    OutboxEntry::new(key, request(created_at), 2700)
}

fn placed(id: &str) -> PlacedOrder {
    serde_json::from_value(serde_json::json!({
        "id": id, "number": 7, "status": "received", "mode": "dine_in", "table": "A12",
        "items": [], "total_minor": 7600, "currency": "CNY",
        "received_at": "2026-11-23T04:00:05Z", "client_created_at": "2026-11-23T04:00:00Z"
    }))
    .expect("placed order")
}

fn refused(kind: ProblemType) -> Outcome {
    Outcome::Refused(Problem::new(kind))
}

#[test]
fn a_placed_order_is_due_at_once_and_each_attempt_says_when_it_left() {
    let mut order = entry("key-0000000000000001", PLACED);
    assert!(order.is_due(PLACED));
    let later = PLACED + Duration::seconds(90);
    let body = order.start_attempt(later).expect("young enough");
    assert_eq!(body.client.sent_at, later);
    assert_eq!(body.client.created_at, PLACED);
    assert_eq!(order.state_name(), "sending");
    assert!(
        !order.is_due(later),
        "a send in flight is not started twice"
    );
}

#[test]
fn a_201_delivers_it_and_the_kitchen_status_follows() {
    let (backoff, mut random) = (Backoff::default(), SplitMix64::new(1));
    let mut order = entry("key-0000000000000002", PLACED);
    order.start_attempt(PLACED);
    order.finish_attempt(
        Outcome::Delivered(placed("o1")),
        PLACED,
        &backoff,
        &mut random,
    );
    assert_eq!(order.state_name(), "received");
    assert!(!order.is_pending());
    order.apply_status(&StatusUpdate {
        order_id: "o1".into(),
        status: OrderStatus::Ready,
        at: PLACED,
        reason: None,
    });
    assert_eq!(order.state_name(), "ready");
}

#[test]
fn no_answer_is_retried_later_with_the_same_key_and_body() {
    let (backoff, mut random) = (Backoff::default(), SplitMix64::new(2));
    let mut order = entry("key-0000000000000003", PLACED);
    let first = order.start_attempt(PLACED).expect("body");
    order.finish_attempt(Outcome::no_answer("offline"), PLACED, &backoff, &mut random);
    assert_eq!(order.state_name(), "saved");
    let DeliveryState::Saved {
        next_attempt_at, ..
    } = order.state
    else {
        panic!("saved")
    };
    assert!(next_attempt_at >= PLACED && next_attempt_at < PLACED + Duration::seconds(1));
    let retry = order.start_attempt(next_attempt_at).expect("body");
    let mut same = retry.clone();
    same.client.sent_at = first.client.sent_at;
    assert_eq!(same, first, "only sent_at differs");
    assert_eq!(order.key.as_str(), "key-0000000000000003");
}

#[test]
fn repeated_failures_back_off_up_to_a_minute() {
    let (backoff, mut random) = (Backoff::default(), SplitMix64::new(3));
    let mut order = entry("key-0000000000000004", PLACED);
    let mut now = PLACED;
    for _ in 0..12 {
        order.start_attempt(now);
        order.finish_attempt(Outcome::no_answer("timeout"), now, &backoff, &mut random);
        let wake = order.wakes_at().expect("waiting");
        assert!(wake - now <= Duration::seconds(60));
        now = wake;
    }
    assert_eq!(order.failures, 12);
}

#[test]
fn a_busy_restaurant_is_left_alone_for_at_least_its_retry_after() {
    let (backoff, mut random) = (Backoff::default(), SplitMix64::new(4));
    let mut order = entry("key-0000000000000005", PLACED);
    order.start_attempt(PLACED);
    let busy = Outcome::Throttled {
        retry_after: Some(Duration::seconds(5)),
    };
    order.finish_attempt(busy, PLACED, &backoff, &mut random);
    let wake = order.wakes_at().expect("waiting");
    assert!(wake >= PLACED + Duration::seconds(5));
    assert!(!order.is_due(PLACED + Duration::seconds(4)));
}

#[test]
fn a_key_in_use_is_retried_within_two_seconds_without_counting_a_failure() {
    let (backoff, mut random) = (Backoff::default(), SplitMix64::new(5));
    let mut order = entry("key-0000000000000006", PLACED);
    order.start_attempt(PLACED);
    order.finish_attempt(Outcome::InProgress, PLACED, &backoff, &mut random);
    assert_eq!(order.failures, 0);
    assert!(order.is_due(PLACED + Duration::seconds(2)));
}

#[test]
fn refusals_are_final_each_with_its_own_flow() {
    let (backoff, mut random) = (Backoff::default(), SplitMix64::new(6));
    for (kind, state) in [
        (ProblemType::InvalidOrder, "rejected"),
        (ProblemType::RestaurantClosed, "rejected"),
        (ProblemType::MenuChanged, "price_changed"),
        (ProblemType::OrderExpired, "expired"),
    ] {
        let mut order = entry("key-0000000000000007", PLACED);
        order.start_attempt(PLACED);
        order.finish_attempt(refused(kind), PLACED, &backoff, &mut random);
        assert_eq!(order.state_name(), state, "{kind:?}");
        assert!(!order.is_pending());
        assert!(!order.is_due(PLACED + Duration::days(1)));
    }
}

#[test]
fn an_order_too_old_on_the_device_clock_is_never_sent() {
    let mut order = entry("key-0000000000000008", PLACED);
    assert!(
        order
            .start_attempt(PLACED + Duration::seconds(2700))
            .is_some()
    );
    order.recover_interrupted(PLACED);
    assert!(
        order
            .start_attempt(PLACED + Duration::seconds(2701))
            .is_none()
    );
    assert_eq!(order.state_name(), "expired");
}

#[test]
fn a_send_cut_off_by_a_closed_tab_is_retried() {
    let mut order = entry("key-0000000000000009", PLACED);
    order.start_attempt(PLACED);
    assert!(!order.is_due(PLACED + Duration::seconds(29)));
    assert!(
        order.is_due(PLACED + Duration::seconds(30)),
        "stale sends time out"
    );
    order.recover_interrupted(PLACED + Duration::seconds(1));
    assert_eq!(order.state_name(), "saved");
    assert!(order.is_due(PLACED + Duration::seconds(1)));
}

#[test]
fn a_stored_send_dated_at_the_end_of_time_does_not_panic() {
    // Found by the stored_record fuzz target: `since + SEND_TIMEOUT` panicked
    // for a record whose `since` was the last second `time` can read.
    let mut order = entry("key-0000000000000010", PLACED);
    let end_of_time = datetime!(9999-12-31 23:59:59 UTC);
    order.state = DeliveryState::Sending { since: end_of_time };
    assert!(!order.is_due(PLACED));
    let wake = order.wakes_at().expect("a send wakes");
    assert!(wake >= end_of_time, "{wake}");
    assert_eq!(next_wake(std::slice::from_ref(&order)), Some(wake));
    order.recover_interrupted(PLACED);
    assert!(
        order.is_due(PLACED),
        "recovery after a restart still frees it"
    );
}

#[test]
fn a_retry_after_dated_at_the_end_of_time_does_not_panic() {
    // A proxy may send any HTTP-date; jitter on top of one at 9999-12-31
    // overflowed `now + wait`.
    let (backoff, mut random) = (Backoff::default(), SplitMix64::new(3));
    let mut order = entry("key-0000000000000011", PLACED);
    order.failures = 8;
    order.start_attempt(PLACED);
    let throttled = Outcome::from_response(503, Some("Fri, 31 Dec 9999 23:59:59 GMT"), "", PLACED);
    order.finish_attempt(throttled, PLACED, &backoff, &mut random);
    assert_eq!(order.state_name(), "saved");
    assert!(!order.is_due(PLACED + Duration::days(365)));
}

#[test]
fn one_failing_order_does_not_hold_back_the_others() {
    let (backoff, mut random) = (Backoff::default(), SplitMix64::new(7));
    let mut entries = vec![
        entry("key-000000000000000a", PLACED),
        entry("key-000000000000000b", PLACED + Duration::seconds(1)),
        entry("key-000000000000000c", PLACED + Duration::seconds(2)),
    ];
    let now = PLACED + Duration::seconds(3);
    entries[0].start_attempt(now);
    entries[0].finish_attempt(Outcome::no_answer("timeout"), now, &backoff, &mut random);
    entries[0].failures = 20;
    assert_eq!(due(&entries, now), vec![1, 2]);
    assert_eq!(pending_count(&entries), 3);
    assert_eq!(next_wake(&entries), Some(PLACED + Duration::seconds(1)));
}

#[test]
fn an_entry_survives_storage_as_json() {
    let mut order = entry("key-000000000000000d", PLACED);
    order.start_attempt(PLACED);
    let stored = serde_json::to_string(&order).expect("serializable");
    let back: OutboxEntry = serde_json::from_str(&stored).expect("readable");
    assert_eq!(back, order);
}

#[test]
fn the_network_coming_back_ends_a_backoff_but_not_a_retry_after() {
    let (backoff, mut random) = (Backoff::default(), SplitMix64::new(8));
    let mut offline = entry("key-000000000000000e", PLACED);
    let mut busy = entry("key-000000000000000f", PLACED);
    let mut now = PLACED;
    for _ in 0..6 {
        offline.start_attempt(now);
        offline.finish_attempt(Outcome::no_answer("offline"), now, &backoff, &mut random);
        now = offline.wakes_at().expect("waiting");
    }
    offline.start_attempt(now);
    offline.finish_attempt(Outcome::no_answer("offline"), now, &backoff, &mut random);
    busy.start_attempt(now);
    let told = Outcome::Throttled {
        retry_after: Some(Duration::seconds(30)),
    };
    busy.finish_attempt(told, now, &backoff, &mut random);

    offline.network_is_back(now);
    busy.network_is_back(now);
    assert!(
        offline.is_due(now),
        "a network backoff ends when the network is back"
    );
    assert!(
        !busy.is_due(now + Duration::seconds(29)),
        "the server's Retry-After stands"
    );
}
