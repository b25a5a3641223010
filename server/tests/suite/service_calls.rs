//! Service for the table: 催单 (hurry) and 呼叫服务员 (call staff). A press
//! is idempotent by its key, a table has one open call per reason (and
//! order), the kitchen display lists open calls until staff clear them,
//! and clearing the table answers them. Both backends.

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::orders::{new_key, problem_type, tripe_and_pot};

const KITCHEN: &str = "kitchen-tablet-R7q2Vx9p";

async fn start() -> TestServer {
    TestServer::start(&["--kitchen-token", KITCHEN]).await
}

async fn press(
    server: &TestServer,
    table: &str,
    key: &str,
    device: &str,
    call: Value,
) -> reqwest::Response {
    let code = server.table_code(table).await.expect("the table's code");
    let mut body = call;
    body["code"] = json!(code);
    body["device_id"] = json!(device);
    server
        .client
        .post(server.url(&format!("/api/v1/tables/{table}/calls")))
        .header("Idempotency-Key", format!("\"{key}\""))
        .json(&body)
        .send()
        .await
        .expect("POST call")
}

async fn call_id(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    let call: Value = response.json().await.expect("call");
    call["id"].as_str().expect("id").to_owned()
}

async fn open_calls(server: &TestServer) -> Vec<Value> {
    let board: Value = server
        .client
        .get(server.url("/api/v1/kitchen/board"))
        .bearer_auth(KITCHEN)
        .send()
        .await
        .expect("board")
        .json()
        .await
        .expect("json");
    board["calls"].as_array().expect("calls").clone()
}

async fn staff(server: &TestServer, path: &str) -> StatusCode {
    server
        .client
        .post(server.url(path))
        .bearer_auth(KITCHEN)
        .json(&json!({}))
        .send()
        .await
        .expect("POST")
        .status()
}

#[tokio::test]
async fn presses_and_phones_make_one_call_until_staff_clear_it() {
    let server = start().await;
    let water = json!({ "reason": "water" });
    let key = new_key();
    let first = call_id(press(&server, "A1", &key, "phone-a", water.clone()).await).await;
    for _ in 0..4 {
        let again = call_id(press(&server, "A1", &key, "phone-a", water.clone()).await).await;
        assert_eq!(again, first, "a retry is the same call");
    }
    let other_press =
        call_id(press(&server, "A1", &new_key(), "phone-b", water.clone()).await).await;
    assert_eq!(
        other_press, first,
        "another phone at the table: the same open call"
    );
    let presses = join_all((0..6).map(|_| {
        let key = new_key();
        let water = water.clone();
        let server = &server;
        async move { call_id(press(server, "A1", &key, "phone-c", water).await).await }
    }))
    .await;
    assert!(presses.iter().all(|id| id == &first), "{presses:?}");
    let broth = call_id(
        press(
            &server,
            "A1",
            &new_key(),
            "phone-a",
            json!({"reason": "broth"}),
        )
        .await,
    )
    .await;
    assert_ne!(broth, first, "another reason is another call");

    let calls = open_calls(&server).await;
    let listed: Vec<(&str, &str)> = calls
        .iter()
        .map(|call| {
            (
                call["table"].as_str().expect("table"),
                call["reason"].as_str().expect("reason"),
            )
        })
        .collect();
    assert_eq!(listed, [("A1", "water"), ("A1", "broth")]);

    let cleared = staff(&server, &format!("/api/v1/kitchen/calls/{first}/clear")).await;
    assert_eq!(cleared, StatusCode::NO_CONTENT);
    assert_eq!(open_calls(&server).await.len(), 1);
    let late_retry: Value = press(&server, "A1", &key, "phone-a", water.clone())
        .await
        .json()
        .await
        .expect("call");
    assert_eq!(
        late_retry["id"],
        first.as_str(),
        "a late retry is not a new call"
    );
    assert!(late_retry["cleared_at"].is_string(), "{late_retry}");
    let new_press = call_id(press(&server, "A1", &new_key(), "phone-a", water).await).await;
    assert_ne!(
        new_press, first,
        "a new press after staff answered is a new call"
    );
    assert_eq!(open_calls(&server).await.len(), 2);
}

#[tokio::test]
async fn a_hurry_names_an_order_of_the_tables_visit() {
    let server = start().await;
    let ordered: Value = server
        .post_order(Some(&new_key()), &tripe_and_pot())
        .await
        .json()
        .await
        .expect("order");
    let order_id = ordered["id"].as_str().expect("id");
    let hurry = json!({ "reason": "hurry", "order_id": order_id });
    let call: Value = press(&server, "A1", &new_key(), "phone-a", hurry.clone())
        .await
        .json()
        .await
        .expect("call");
    assert_eq!(call["order_number"], ordered["number"], "{call}");

    let (status, kind, _) = problem_type(
        press(
            &server,
            "A1",
            &new_key(),
            "phone-a",
            json!({"reason": "hurry"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, kind.as_str()), (400, "malformed-request"));
    let water_for_an_order = json!({ "reason": "water", "order_id": order_id });
    let (status, _, _) =
        problem_type(press(&server, "A1", &new_key(), "phone-a", water_for_an_order).await).await;
    assert_eq!(status, 400);
    let (status, _, _) =
        problem_type(press(&server, "A2", &new_key(), "phone-a", hurry).await).await;
    assert_eq!(status, 404, "another table cannot hurry A1's order");
}

#[tokio::test]
async fn a_call_needs_the_tables_code_and_clearing_the_table_answers_its_calls() {
    let server = start().await;
    let refused = server
        .client
        .post(server.url("/api/v1/tables/A1/calls"))
        .header("Idempotency-Key", format!("\"{}\"", new_key()))
        .json(&json!({ "reason": "bill", "code": "guessed", "device_id": "phone-a" }))
        .send()
        .await
        .expect("POST");
    let (status, kind, _) = problem_type(refused).await;
    assert_eq!((status, kind.as_str()), (422, "table-code-refused"));
    assert!(open_calls(&server).await.is_empty());

    let call: Value = press(
        &server,
        "A1",
        &new_key(),
        "phone-a",
        json!({"reason": "bill"}),
    )
    .await
    .json()
    .await
    .expect("call");
    let visit = call["visit_id"]
        .as_str()
        .expect("the call opened the table's visit");
    assert_eq!(open_calls(&server).await.len(), 1);
    let cleared = staff(&server, &format!("/api/v1/kitchen/visits/{visit}/clear")).await;
    assert_eq!(cleared, StatusCode::NO_CONTENT);
    assert!(open_calls(&server).await.is_empty(), "the party left");
}
