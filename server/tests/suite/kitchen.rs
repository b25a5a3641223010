//! The kitchen moves orders along; diners follow over Server-Sent Events.

use std::time::Duration;

use crate::support::TestServer;
use crate::support::orders::problem_type;
use crate::support::sse::read_events;
use reqwest::StatusCode;
use serde_json::{Value, json};

const TOKEN: &str = "kitchen-tablet-R7q2Vx9p";

async fn place_order(server: &TestServer) -> String {
    let order = server.place().await;
    order["id"].as_str().expect("id").to_owned()
}

async fn set_status(server: &TestServer, id: &str, body: Value) -> reqwest::Response {
    server
        .client
        .post(server.url(&format!("/api/v1/kitchen/orders/{id}/status")))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .expect("POST status")
}

#[tokio::test]
async fn the_kitchen_api_needs_the_token() {
    let server = TestServer::start(&["--kitchen-token", TOKEN]).await;
    let url = server.url("/api/v1/kitchen/orders");
    let anonymous = server.client.get(&url).send().await.expect("GET");
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    let (status, kind, _) = problem_type(anonymous).await;
    assert_eq!((status, kind.as_str()), (401, "unauthorized"));
    let wrong = server
        .client
        .get(&url)
        .bearer_auth("guess")
        .send()
        .await
        .expect("GET");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let right = server
        .client
        .get(&url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("GET");
    assert_eq!(right.status(), StatusCode::OK);
}

#[tokio::test]
async fn open_orders_follow_the_status_flow_until_completed() {
    let server = TestServer::start(&["--kitchen-token", TOKEN]).await;
    let first = place_order(&server).await;
    let second = place_order(&server).await;
    let open = server.kitchen_orders(TOKEN).await;
    let ids: Vec<&str> = open.iter().map(|o| o["id"].as_str().expect("id")).collect();
    assert_eq!(ids, [first.as_str(), second.as_str()], "oldest first");

    for status in ["preparing", "ready", "preparing", "ready", "completed"] {
        let response = set_status(&server, &first, json!({"status": status})).await;
        assert_eq!(response.status(), StatusCode::OK, "to {status}");
        let order: Value = response.json().await.expect("json");
        assert_eq!(order["status"], status);
    }
    let (status, kind, _) =
        problem_type(set_status(&server, &first, json!({"status": "preparing"})).await).await;
    assert_eq!((status, kind.as_str()), (409, "invalid-transition"));

    let (status, _, _) =
        problem_type(set_status(&server, &second, json!({"status": "cancelled"})).await).await;
    assert_eq!(status, 409, "a cancellation needs a reason");
    let cancelled = set_status(
        &server,
        &second,
        json!({"status": "cancelled", "reason": "鸭肠卖完了"}),
    )
    .await;
    let cancelled: Value = cancelled.json().await.expect("json");
    assert_eq!(cancelled["status_reason"], "鸭肠卖完了");

    let open = server.kitchen_orders(TOKEN).await;
    assert!(open.is_empty(), "completed and cancelled orders are closed");
}

#[tokio::test]
async fn a_diner_follows_status_live_and_resumes_after_a_drop() {
    let server = TestServer::start(&["--kitchen-token", TOKEN]).await;
    let id = place_order(&server).await;
    let events_url = server.url(&format!("/api/v1/orders/{id}/events"));

    let stream = server
        .client
        .get(&events_url)
        .send()
        .await
        .expect("GET events");
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let kitchen = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        set_status(&server, &id, json!({"status": "preparing"})).await;
        set_status(&server, &id, json!({"status": "ready"})).await;
    };
    let (events, ()) = tokio::join!(read_events(stream, 3), kitchen);
    let statuses: Vec<&str> = events
        .iter()
        .map(|e| e.2["status"].as_str().expect("s"))
        .collect();
    assert_eq!(statuses, ["received", "preparing", "ready"]);
    assert!(
        events
            .iter()
            .all(|e| e.1 == "status" && e.2["order_id"] == id.as_str())
    );

    // The connection drops after "preparing"; the browser resumes from there.
    let resume_from = &events[1].0;
    let resumed = server
        .client
        .get(&events_url)
        .header("Last-Event-ID", resume_from)
        .send()
        .await
        .expect("GET events");
    let missed = read_events(resumed, 1).await;
    assert_eq!(missed[0].2["status"], "ready");
    assert_eq!(&missed[0].0, &events[2].0);
}

#[tokio::test]
async fn a_graceful_stop_is_not_held_open_by_event_streams() {
    let mut server = TestServer::start(&["--kitchen-token", TOKEN]).await;
    let id = place_order(&server).await;
    let stream = server.order_events(&id).await;
    assert_eq!(stream.status(), StatusCode::OK);
    tokio::time::timeout(Duration::from_secs(5), server.stop())
        .await
        .expect("the server stops within 5 s with a diner still listening");
    drop(stream);
}
