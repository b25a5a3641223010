//! Several replicas behind a load balancer share one PostgreSQL. These tests
//! need `WENDAN_TEST_POSTGRES` (`cargo xtask test` provides it); their names
//! start with `replicas_` so the SQLite run can skip them.

use std::time::Duration;

use crate::paysim_harness::{keys_dir, start_sandbox, test_keys};
use crate::support::orders::{new_key, tripe_and_pot};
use crate::support::sse::read_events;
use crate::support::{TestServer, postgres_base_url};
use reqwest::StatusCode;
use serde_json::{Value, json};

const TOKEN: &str = "replica-tablets-N6w3Hy8c";

async fn two_replicas() -> (TestServer, TestServer) {
    assert!(
        postgres_base_url().is_some(),
        "replica tests run on PostgreSQL: set WENDAN_TEST_POSTGRES"
    );
    let first = TestServer::start(&["--kitchen-token", TOKEN]).await;
    let database = first.database.clone();
    let dir = tempfile::tempdir().expect("temp dir");
    let second = TestServer::start_on(dir, &database, &["--kitchen-token", TOKEN]).await;
    (first, second)
}

#[tokio::test]
async fn replicas_receiving_one_key_at_once_make_one_order() {
    let (a, b) = two_replicas().await;
    let key = new_key();
    let body = tripe_and_pot();
    let requests = (0..50).map(|i| {
        let replica = if i % 2 == 0 { &a } else { &b };
        replica.post_order(Some(&key), &body)
    });
    let answers = futures_util::future::join_all(requests).await;
    let mut ids = std::collections::HashSet::new();
    for answer in answers {
        match answer.status() {
            StatusCode::CREATED => {
                let order: Value = answer.json().await.expect("json");
                ids.insert(order["id"].as_str().expect("id").to_owned());
            }
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ids.len(), 1, "both replicas answer with the same order");
    assert_eq!(a.stored_order_count().await, 1);
}

#[tokio::test]
async fn replicas_number_orders_without_gaps_or_repeats() {
    let (a, b) = two_replicas().await;
    let requests = (0..40).map(|i| {
        let replica = if i % 2 == 0 { &a } else { &b };
        async move {
            let order: Value = replica
                .post_order(Some(&new_key()), &tripe_and_pot())
                .await
                .json()
                .await
                .expect("json");
            order["number"].as_u64().expect("number")
        }
    });
    let mut numbers = futures_util::future::join_all(requests).await;
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=40).collect::<Vec<u64>>());
}

#[tokio::test]
async fn replicas_a_status_change_on_one_reaches_diners_on_the_other() {
    let (a, b) = two_replicas().await;
    let order = a.place().await;
    let id = order["id"].as_str().expect("id");
    let stream = b.order_events(id).await;
    let kitchen_on_a = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let response = a
            .client
            .post(a.url(&format!("/api/v1/kitchen/orders/{id}/status")))
            .bearer_auth(TOKEN)
            .json(&json!({"status": "preparing"}))
            .send()
            .await
            .expect("status on replica a");
        assert_eq!(response.status(), StatusCode::OK);
    };
    let (events, ()) = tokio::join!(read_events(stream, 2), kitchen_on_a);
    assert_eq!(events[0].2["status"], "received");
    assert_eq!(events[1].2["status"], "preparing");
}

#[tokio::test]
async fn replicas_obey_a_pause_or_sold_out_mark_made_on_another() {
    let (a, b) = two_replicas().await;
    let menu_before = b.get_json("/api/v1/menu").await["version"].clone();
    let put = |path: &str, body: Value| {
        a.client
            .put(a.url(path))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
    };
    let paused = put(
        "/api/v1/kitchen/intake",
        json!({"paused": true, "message": "暂停接单"}),
    )
    .await
    .expect("PUT");
    assert_eq!(paused.status(), StatusCode::OK);
    let marked = put(
        "/api/v1/kitchen/items/beef-tripe/sold-out",
        json!({"sold_out": true}),
    )
    .await
    .expect("PUT");
    assert_eq!(marked.status(), StatusCode::OK);

    // The other replica hears it through NOTIFY; allow it a moment. It
    // re-reads all switches at once, so the new menu comes with the pause.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while b.get_json("/api/v1/menu").await["version"] == menu_before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "replica b still serves the unmarked menu"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let refused = b.post_order(Some(&new_key()), &tripe_and_pot()).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["message"], "暂停接单");
    assert_eq!(b.stored_order_count().await, 0);
}

#[tokio::test]
async fn replicas_a_payment_started_on_one_refreshes_the_counter_strip_on_the_other() {
    assert!(
        postgres_base_url().is_some(),
        "replica tests run on PostgreSQL: set WENDAN_TEST_POSTGRES"
    );
    let keys = test_keys();
    let keys_dir = keys_dir(&keys);
    let sandbox = start_sandbox("http://127.0.0.1:9", keys).await;
    let sandbox_url = format!("http://{}", sandbox.addr);
    let keys_path = keys_dir.path().display().to_string();
    let args = [
        "--kitchen-token",
        TOKEN,
        "--payment",
        "pay-first",
        "--payment-sandbox",
        &keys_path,
        "--payment-sandbox-url",
        &sandbox_url,
    ];
    let a = TestServer::start(&args).await;
    let b = TestServer::start_on(tempfile::tempdir().expect("temp dir"), &a.database, &args).await;
    let display_on_b = b
        .client
        .get(b.url("/api/v1/kitchen/events"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("kitchen events on replica b");
    let mut pickup = tripe_and_pot();
    pickup["mode"] = json!("pickup");
    pickup["table"] = Value::Null;
    pickup["pickup_name"] = json!("Li");
    let diner_on_a = async {
        let placed = a.post_order(Some(&new_key()), &pickup).await;
        assert_eq!(placed.status(), StatusCode::CREATED);
        let order: Value = placed.json().await.expect("order");
        let id = order["id"].as_str().expect("id");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let paying = a
            .client
            .post(a.url(&format!("/api/v1/orders/{id}/payments")))
            .header("Idempotency-Key", format!("\"{}\"", new_key()))
            .json(&json!({"channel": "alipay_wap"}))
            .send()
            .await
            .expect("pay on replica a");
        assert_eq!(paying.status(), StatusCode::OK);
    };
    // hello, the order's status (awaiting payment), then the strip's resync:
    // the payment moved without its order, which only NOTIFY tells b.
    let (events, ()) = tokio::join!(read_events(display_on_b, 3), diner_on_a);
    let names: Vec<&str> = events.iter().map(|(_, name, _)| name.as_str()).collect();
    assert!(names.contains(&"resync"), "{names:?}");
}

#[tokio::test]
async fn replicas_a_tables_call_made_on_one_reaches_the_display_on_the_other() {
    let (a, b) = two_replicas().await;
    // The party is seated before the display listens: only the call is news.
    let scanned = a
        .client
        .post(a.url("/api/v1/tables/A1/visit"))
        .json(&json!({"code": a.table_code("A1").await.expect("A1's code")}))
        .send()
        .await
        .expect("scan on replica a");
    assert_eq!(scanned.status(), StatusCode::OK);
    let display_on_b = b
        .client
        .get(b.url("/api/v1/kitchen/events"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("kitchen events on replica b");
    let code = a.table_code("A1").await.expect("A1's code");
    let diner_on_a = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let called = a
            .client
            .post(a.url("/api/v1/tables/A1/calls"))
            .header("Idempotency-Key", format!("\"{}\"", new_key()))
            .json(&json!({"reason": "water", "code": code, "device_id": "phone-a"}))
            .send()
            .await
            .expect("call on replica a");
        assert_eq!(called.status(), StatusCode::OK);
    };
    // hello, then the board's resync: no order moved, only NOTIFY tells b.
    let (events, ()) = tokio::join!(read_events(display_on_b, 2), diner_on_a);
    let names: Vec<&str> = events.iter().map(|(_, name, _)| name.as_str()).collect();
    assert_eq!(names, ["hello", "resync"], "{names:?}");
    let board: Value = b
        .client
        .get(b.url("/api/v1/kitchen/board"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("board on b")
        .json()
        .await
        .expect("json");
    assert_eq!(board["calls"][0]["table"], "A1", "{board}");
    assert_eq!(board["tables"][0]["visit"]["table"], "A1", "{board}");
}

#[tokio::test]
async fn replicas_a_cart_change_on_one_reaches_the_tables_phones_on_the_other() {
    let first = TestServer::start(&["--table-cart", "shared"]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let database = first.database.clone();
    let second = TestServer::start_on(dir, &database, &["--table-cart", "shared"]).await;
    let (a, b) = (first, second);
    let code = a.table_code("A1").await.expect("A1's code");
    let visit: Value = a
        .client
        .post(a.url("/api/v1/tables/A1/visit"))
        .json(&json!({ "code": code }))
        .send()
        .await
        .expect("scan")
        .json()
        .await
        .expect("visit");
    let stream = b
        .client
        .get(b.url(&format!("/api/v1/tables/A1/cart/events?code={code}")))
        .send()
        .await
        .expect("stream on b");
    assert_eq!(stream.status(), StatusCode::OK);
    let push_on_a = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let response = a
            .client
            .post(a.url("/api/v1/tables/A1/cart"))
            .json(&json!({
                "code": code,
                "visit_id": visit["id"],
                "mutations": [{
                    "phone": "phone-a", "seq": 1, "round": 1,
                    "by": { "name": "小王", "emoji": "🐼" },
                    "change": { "add_line": {
                        "id": "a-1", "item_id": "beef-tripe", "qty": 1,
                        "unit_price_minor": 3800, "menu_version": "seen",
                    }},
                }],
            }))
            .send()
            .await
            .expect("push on a");
        assert_eq!(response.status(), StatusCode::OK);
    };
    let (events, ()) = tokio::join!(read_events(stream, 2), push_on_a);
    assert_eq!(events[1].2["cart"]["lines"][0]["added_by"]["name"], "小王");
}
