//! `POST /api/v1/orders`: exactly once per key, every refusal a typed problem.

use crate::support::TestServer;
use crate::support::orders::{
    TRIPE_AND_POT_TOTAL, new_key, now_rfc3339, problem_type, tripe_and_pot,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn a_new_order_is_created_priced_by_the_server_and_numbered() {
    let server = TestServer::start(&[]).await;
    let body = tripe_and_pot();
    let response = server.post_order(Some(&new_key()), &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.headers().get("idempotent-replayed").is_none());
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let order: Value = response.json().await.expect("order json");
    assert_eq!(
        location,
        format!("/api/v1/orders/{}", order["id"].as_str().expect("id"))
    );
    assert_eq!(order["number"], 1);
    assert_eq!(order["status"], "received");
    assert_eq!(order["total_minor"], TRIPE_AND_POT_TOTAL);
    assert_eq!(order["currency"], "CNY");
    assert_eq!(order["items"][1]["unit_price_minor"], 6800 + 800);
    assert_eq!(order["items"][1]["note"], "少放葱");
    assert_eq!(order["client_created_at"], body["client"]["created_at"]);
    assert!(order["received_at"].is_string());
    assert!(
        order["id"].as_str().expect("id").len() >= 32,
        "unguessable id"
    );

    let second = server.post_order(Some(&new_key()), &tripe_and_pot()).await;
    let second: Value = second.json().await.expect("order json");
    assert_eq!(second["number"], 2, "numbers count up through the day");
}

#[tokio::test]
async fn a_retry_with_the_same_key_replays_the_first_answer_byte_for_byte() {
    let server = TestServer::start(&[]).await;
    let key = new_key();
    let mut body = tripe_and_pot();
    let first = server.post_order(Some(&key), &body).await;
    let first_status = first.status();
    let first_body = first.bytes().await.expect("body");

    // A retry sets a new sent_at; it is still the same order.
    body["client"]["sent_at"] = json!(now_rfc3339());
    let again = server.post_order(Some(&key), &body).await;
    assert_eq!(again.status(), first_status);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.bytes().await.expect("body"), first_body);
    assert_eq!(server.stored_order_count().await, 1);
}

#[tokio::test]
async fn the_bare_token_form_of_the_key_is_the_same_key() {
    let server = TestServer::start(&[]).await;
    let key = new_key();
    let mut body = tripe_and_pot();
    body["table_code"] = json!(server.table_code("A1").await);
    server.post_order(Some(&key), &body).await;
    let bare = server
        .client
        .post(server.url("/api/v1/orders"))
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(bare.status(), StatusCode::CREATED);
    assert_eq!(bare.headers()["idempotent-replayed"], "true");
}

#[tokio::test]
async fn the_same_key_with_a_different_order_is_refused() {
    let server = TestServer::start(&[]).await;
    let key = new_key();
    server.post_order(Some(&key), &tripe_and_pot()).await;
    let mut other = tripe_and_pot();
    other["table"] = json!("B7");
    let (status, kind, _) = problem_type(server.post_order(Some(&key), &other).await).await;
    assert_eq!((status, kind.as_str()), (422, "idempotency-key-reused"));
    assert_eq!(server.stored_order_count().await, 1);
}

#[tokio::test]
async fn a_missing_or_malformed_key_is_a_bad_request() {
    let server = TestServer::start(&[]).await;
    let (status, kind, _) = problem_type(server.post_order(None, &tripe_and_pot()).await).await;
    assert_eq!((status, kind.as_str()), (400, "idempotency-key-missing"));
    for bad in [
        "too-short",
        "has spaces in it, so no",
        "\"unterminated-quote-key",
    ] {
        let response = server
            .client
            .post(server.url("/api/v1/orders"))
            .header("Idempotency-Key", bad)
            .json(&tripe_and_pot())
            .send()
            .await
            .expect("POST");
        let (status, kind, _) = problem_type(response).await;
        assert_eq!(
            (status, kind.as_str()),
            (400, "idempotency-key-malformed"),
            "{bad}"
        );
    }
    assert_eq!(server.stored_order_count().await, 0);
}

#[tokio::test]
async fn malformed_json_is_a_bad_request_and_a_huge_body_is_413() {
    let server = TestServer::start(&[]).await;
    let malformed = server
        .client
        .post(server.url("/api/v1/orders"))
        .header("Idempotency-Key", new_key())
        .header("content-type", "application/json")
        .body("{\"mode\": \"dine_in\", ")
        .send()
        .await
        .expect("POST");
    let (status, kind, _) = problem_type(malformed).await;
    assert_eq!((status, kind.as_str()), (400, "malformed-request"));

    let mut huge = tripe_and_pot();
    huge["note"] = json!("x".repeat(70 * 1024));
    let (status, kind, _) = problem_type(server.post_order(Some(&new_key()), &huge).await).await;
    assert_eq!((status, kind.as_str()), (413, "payload-too-large"));
}

#[tokio::test]
async fn an_invalid_order_lists_one_error_per_problem() {
    let server = TestServer::start(&[]).await;
    let mut body = tripe_and_pot();
    body["table"] = Value::Null;
    body["items"] = json!([
        {"item_id": "no-such-dish", "qty": 1},
        {"item_id": "duck-intestine", "qty": 1},
        {"item_id": "beef-tripe", "qty": 100},
        {"item_id": "yuanyang-pot", "qty": 1, "options": ["spice-mild", "spice-extra", "no-such-option"]},
        {"item_id": "potato-slices", "qty": 1, "note": "x".repeat(141)}
    ]);
    let (status, kind, problem) =
        problem_type(server.post_order(Some(&new_key()), &body).await).await;
    assert_eq!((status, kind.as_str()), (422, "invalid-order"));
    let errors: Vec<(String, String)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| {
            assert!(error["detail"].is_string());
            (
                error["pointer"].as_str().expect("pointer").into(),
                error["code"].as_str().expect("code").into(),
            )
        })
        .collect();
    let expected = [
        ("/table", "table_missing"),
        ("/items/0/item_id", "unknown_item"),
        ("/items/1/item_id", "sold_out"),
        ("/items/2/qty", "qty_out_of_range"),
        ("/items/3/options/2", "unknown_option"),
        ("/items/3/options", "too_few_options"),
        ("/items/3/options", "too_many_options"),
        ("/items/4/note", "note_too_long"),
    ];
    for (pointer, code) in expected {
        assert!(
            errors.contains(&(pointer.to_owned(), code.to_owned())),
            "missing {pointer} {code} in {errors:?}"
        );
    }
    assert_eq!(server.stored_order_count().await, 0);
}

#[tokio::test]
async fn an_order_that_waited_too_long_on_the_phone_is_expired() {
    let server = TestServer::start(&[]).await;
    let mut body = tripe_and_pot();
    let sent = time::OffsetDateTime::now_utc();
    let created = sent - time::Duration::seconds(45 * 60 + 1);
    let rfc3339 = time::format_description::well_known::Rfc3339;
    body["client"]["created_at"] = json!(created.format(&rfc3339).expect("formattable"));
    body["client"]["sent_at"] = json!(sent.format(&rfc3339).expect("formattable"));
    let (status, kind, _) = problem_type(server.post_order(Some(&new_key()), &body).await).await;
    assert_eq!((status, kind.as_str()), (422, "order-expired"));
}

#[tokio::test]
async fn a_different_total_is_menu_changed_with_the_new_total() {
    let server = TestServer::start(&[]).await;
    let mut body = tripe_and_pot();
    body["client"]["total_minor"] = json!(TRIPE_AND_POT_TOTAL - 500);
    let (status, kind, problem) =
        problem_type(server.post_order(Some(&new_key()), &body).await).await;
    assert_eq!((status, kind.as_str()), (422, "menu-changed"));
    assert_eq!(problem["new_total_minor"], TRIPE_AND_POT_TOTAL);
    assert!(
        !problem["changed_lines"]
            .as_array()
            .expect("changed lines")
            .is_empty()
    );
    assert_eq!(server.stored_order_count().await, 0);
}

#[tokio::test]
async fn a_closed_restaurant_refuses_orders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut menu: Value = serde_json::from_str(wendan_server::menu::DEMO_MENU_JSON).expect("demo");
    // Open for one minute, twelve hours from now: closed whenever the test runs.
    let now = time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).expect("offset"));
    let open_at = (u16::from(now.hour()) + 12) % 24;
    menu["opening_hours"]["periods"] =
        json!([{"open": format!("{open_at:02}:00"), "close": format!("{open_at:02}:01")}]);
    let path = dir.path().join("menu.json");
    std::fs::write(&path, menu.to_string()).expect("write menu");
    let server = TestServer::start(&["--menu", path.to_str().expect("utf-8")]).await;
    let (status, kind, _) =
        problem_type(server.post_order(Some(&new_key()), &tripe_and_pot()).await).await;
    assert_eq!((status, kind.as_str()), (422, "restaurant-closed"));
}

#[tokio::test]
async fn an_order_can_be_read_back_by_its_id_and_unknown_ids_are_404() {
    let server = TestServer::start(&[]).await;
    let created = server.place().await;
    let id = created["id"].as_str().expect("id");
    let fetched = server.get_json(&format!("/api/v1/orders/{id}")).await;
    assert_eq!(fetched, created);
    let missing = server
        .client
        .get(server.url("/api/v1/orders/nope"))
        .send()
        .await
        .expect("GET");
    let (status, kind, _) = problem_type(missing).await;
    assert_eq!((status, kind.as_str()), (404, "not-found"));
}

#[tokio::test]
async fn fifty_concurrent_requests_with_one_key_make_exactly_one_order() {
    let server = TestServer::start(&[]).await;
    let key = new_key();
    let body = tripe_and_pot();
    let answers =
        futures_util::future::join_all((0..50).map(|_| server.post_order(Some(&key), &body))).await;
    let mut ids = std::collections::HashSet::new();
    for answer in answers {
        match answer.status() {
            StatusCode::CREATED => {
                let order: Value = answer.json().await.expect("json");
                ids.insert(order["id"].as_str().expect("id").to_owned());
            }
            StatusCode::CONFLICT => {
                let (_, kind, _) = problem_type(answer).await;
                assert_eq!(kind, "idempotency-key-in-use");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ids.len(), 1, "every 201 names the same order");
    assert_eq!(server.stored_order_count().await, 1);
}

#[tokio::test]
async fn a_replay_after_a_restart_returns_the_same_answer() {
    let server = TestServer::start(&[]).await;
    let key = new_key();
    let body = tripe_and_pot();
    let first = server
        .post_order(Some(&key), &body)
        .await
        .bytes()
        .await
        .expect("body");
    let server = server.restart(&[]).await;
    let again = server.post_order(Some(&key), &body).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.bytes().await.expect("body"), first);
}

#[tokio::test]
async fn past_capacity_intake_answers_503_with_retry_after_at_once() {
    let server = TestServer::start(&["--max-pending-orders", "2"]).await;
    let body = tripe_and_pot();
    let keys: Vec<String> = (0..200).map(|_| new_key()).collect();
    let answers =
        futures_util::future::join_all(keys.iter().map(|key| server.post_order(Some(key), &body)))
            .await;
    let (mut created, mut shed) = (0, 0);
    for answer in answers {
        match answer.status() {
            StatusCode::CREATED => created += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                let retry_after: u64 = answer.headers()["retry-after"]
                    .to_str()
                    .expect("ascii")
                    .parse()
                    .expect("delay-seconds");
                assert!((1..=30).contains(&retry_after));
                let (_, kind, _) = problem_type(answer).await;
                assert_eq!(kind, "overloaded");
                shed += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(shed > 0, "200 at once cannot all fit in 2 slots");
    assert_eq!(created + shed, 200);
    assert_eq!(
        server.stored_order_count().await,
        created,
        "every 201 is stored, nothing else"
    );
}

#[tokio::test]
async fn metrics_count_orders_replays_and_rejections() {
    let server = TestServer::start(&[]).await;
    let key = new_key();
    let body = tripe_and_pot();
    server.post_order(Some(&key), &body).await;
    server.post_order(Some(&key), &body).await;
    let mut expired = tripe_and_pot();
    expired["client"]["created_at"] = json!("2020-01-01T00:00:00Z");
    server.post_order(Some(&new_key()), &expired).await;
    let text = server
        .client
        .get(server.url("/metrics"))
        .bearer_auth(wendan_server::config::DEMO_ADMIN_TOKEN)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("text");
    assert!(text.contains("wendan_orders_created_total 1"), "{text}");
    assert!(text.contains("wendan_idempotent_replays_total 1"), "{text}");
    assert!(
        text.contains("wendan_orders_rejected_total{type=\"order-expired\"} 1"),
        "{text}"
    );
    assert!(text.contains("wendan_commit_batch_size_count"), "{text}");
    assert!(
        text.contains("wendan_http_request_duration_seconds_bucket"),
        "{text}"
    );
}
