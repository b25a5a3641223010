//! The outbox's stored JSON is a contract with every phone that already has
//! orders saved: each state reads back as written, and a record written by
//! an earlier widget still reads.

use serde_json::json;
use time::macros::datetime;
use wendan_outbox::DeliveryState;
use wendan_protocol::{PlacedOrder, Problem, ProblemType};

fn placed() -> PlacedOrder {
    serde_json::from_value(json!({
        "id": "ord-1", "number": 7, "status": "preparing", "mode": "dine_in", "table": "A12",
        "items": [], "total_minor": 7600, "currency": "CNY",
        "received_at": "2026-11-23T04:00:05Z", "client_created_at": "2026-11-23T04:00:00Z"
    }))
    .expect("placed order")
}

fn every_state() -> Vec<DeliveryState> {
    vec![
        DeliveryState::Saved {
            next_attempt_at: datetime!(2026-11-23 04:00:00 UTC),
            last_error: Some("offline".into()),
            server_said_wait: true,
        },
        DeliveryState::Sending {
            since: datetime!(2026-11-23 04:00:01 UTC),
        },
        DeliveryState::Received { order: placed() },
        DeliveryState::Rejected {
            problem: Problem::new(ProblemType::InvalidOrder),
        },
        DeliveryState::PriceChanged {
            problem: Problem::new(ProblemType::MenuChanged),
        },
        DeliveryState::Expired,
    ]
}

#[test]
fn every_state_reads_back_as_written() {
    for state in every_state() {
        let stored = serde_json::to_string(&state).expect("serializable");
        let back: DeliveryState = serde_json::from_str(&stored).expect("readable");
        assert_eq!(back, state, "{stored}");
    }
}

#[test]
fn states_are_stored_tagged_by_name() {
    let names: Vec<_> = every_state()
        .iter()
        .map(|state| serde_json::to_value(state).expect("serializable")["state"].clone())
        .collect();
    assert_eq!(
        names,
        [
            "saved",
            "sending",
            "received",
            "rejected",
            "price_changed",
            "expired"
        ]
    );
}

#[test]
fn a_saved_state_from_before_server_said_wait_still_reads() {
    let stored =
        json!({"state": "saved", "next_attempt_at": "2026-11-23T04:00:00Z", "last_error": null});
    let state: DeliveryState = serde_json::from_value(stored).expect("readable");
    assert_eq!(
        state,
        DeliveryState::Saved {
            next_attempt_at: datetime!(2026-11-23 04:00:00 UTC),
            last_error: None,
            server_said_wait: false,
        }
    );
}

#[test]
fn a_state_missing_what_its_tag_needs_is_refused() {
    for stored in [
        json!({"state": "saved"}),
        json!({"state": "sending"}),
        json!({"state": "received"}),
        json!({"state": "rejected"}),
        json!({"state": "shipped"}),
    ] {
        let read = serde_json::from_value::<DeliveryState>(stored.clone());
        assert!(read.is_err(), "{stored} should not read");
    }
}
