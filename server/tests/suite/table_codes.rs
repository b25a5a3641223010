//! A table's secret code: the QR link carries it, a dine-in order must carry
//! the table's current one, and "New code" on the admin page replaces it.

use crate::support::TestServer;
use crate::support::orders::{new_key, problem_type, tripe_and_pot};
use crate::support::staff::no_redirects;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION, ORIGIN};
use serde_json::{Value, json};

const ADMIN: &str = "owner-office-T4b1eC0d";

async fn start() -> TestServer {
    TestServer::start(&["--admin-token", ADMIN]).await
}

/// Table `id`'s QR link, as the admin tables API lists it.
async fn listed_url(server: &TestServer, id: &str) -> String {
    let tables: Value = server
        .client
        .get(server.url("/api/v1/admin/tables"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("GET tables")
        .json()
        .await
        .expect("json");
    let table = tables
        .as_array()
        .expect("array")
        .iter()
        .find(|table| table["id"] == id)
        .unwrap_or_else(|| panic!("no table {id} in {tables}"));
    table["url"].as_str().expect("url").to_owned()
}

/// The `code` of a table's QR link.
fn code_of(url: &str) -> String {
    let (_, code) = url.split_once("&code=").expect("a code in the link");
    code.to_owned()
}

/// The standard order at table A1 with `code` exactly (none if `None`).
fn at_a1(code: Option<&str>) -> Value {
    let mut order = tripe_and_pot();
    if let Some(code) = code {
        order["table_code"] = json!(code);
    }
    order
}

async fn refused(server: &TestServer, order: &Value) -> (u16, String, Value) {
    problem_type(server.post_order_as_is(Some(&new_key()), order).await).await
}

#[tokio::test]
async fn a_dine_in_order_is_taken_only_with_the_tables_current_code() {
    let server = start().await;
    let url = listed_url(&server, "A1").await;
    assert!(url.contains("/?table=A1&code="), "{url}");
    let code = code_of(&url);
    assert!(code.len() >= 16, "at least 64 bits: {code}");
    assert_ne!(code, code_of(&listed_url(&server, "A2").await));

    let taken = server
        .post_order_as_is(Some(&new_key()), &at_a1(Some(&code)))
        .await;
    assert_eq!(taken.status(), StatusCode::CREATED);

    let another_tables = code_of(&listed_url(&server, "A2").await);
    let guessed = "0".repeat(code.len());
    for wrong in [
        None,
        Some(""),
        Some(guessed.as_str()),
        Some(&another_tables),
    ] {
        let (status, kind, problem) = refused(&server, &at_a1(wrong)).await;
        assert_eq!(
            (status, kind.as_str()),
            (422, "table-code-refused"),
            "{wrong:?}: {problem}"
        );
    }
    let (status, kind, problem) = refused(&server, &at_a1(Some(&"x".repeat(65)))).await;
    assert_eq!(
        (status, kind.as_str()),
        (422, "table-code-refused"),
        "{problem}"
    );
    // Pickup orders have no table and no code.
    let mut pickup = tripe_and_pot();
    pickup["mode"] = json!("pickup");
    pickup["table"] = Value::Null;
    pickup["pickup_name"] = json!("Li");
    let pickup = server.post_order_as_is(Some(&new_key()), &pickup).await;
    assert_eq!(pickup.status(), StatusCode::CREATED);
    assert_eq!(server.stored_order_count().await, 2);
}

#[tokio::test]
async fn new_code_on_the_admin_page_retires_the_printed_one() {
    let server = start().await;
    let old_url = listed_url(&server, "A1").await;
    let old = code_of(&old_url);
    let cookie = server.admin_cookie(ADMIN).await;
    let page = no_redirects()
        .post(server.url("/admin/tables/A1/new-code"))
        .header("cookie", &cookie)
        .header(ORIGIN, server.base.as_str())
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("lang=en")
        .send()
        .await
        .expect("POST new code");
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()[LOCATION], "/admin/tables?lang=en#qr-A1");

    let new_url = listed_url(&server, "A1").await;
    assert_ne!(new_url, old_url, "the sheet shows a new link");
    let new = code_of(&new_url);
    let sheet = no_redirects()
        .get(server.url("/admin/tables?lang=en"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("GET sheet")
        .text()
        .await
        .expect("page");
    assert!(sheet.contains(&format!("table=A1&amp;code={new}")));
    assert!(!sheet.contains(&old));

    let (status, kind, _) = refused(&server, &at_a1(Some(&old))).await;
    assert_eq!((status, kind.as_str()), (422, "table-code-refused"));
    let taken = server
        .post_order_as_is(Some(&new_key()), &at_a1(Some(&new)))
        .await;
    assert_eq!(taken.status(), StatusCode::CREATED);

    // The API does the same for scripts, from the same origin only.
    let rotated: Value = server
        .client
        .post(server.url("/api/v1/admin/tables/A1/code"))
        .bearer_auth(ADMIN)
        .json(&json!({}))
        .send()
        .await
        .expect("POST code")
        .json()
        .await
        .expect("json");
    assert_eq!(rotated["id"], "A1");
    assert_eq!(rotated["url"], listed_url(&server, "A1").await);
    assert_ne!(code_of(rotated["url"].as_str().expect("url")), new);
    let forged = server
        .client
        .post(server.url("/api/v1/admin/tables/A1/code"))
        .bearer_auth(ADMIN)
        .header(ORIGIN, "http://evil.example")
        .json(&json!({}))
        .send()
        .await
        .expect("POST code");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let missing = server
        .client
        .post(server.url("/api/v1/admin/tables/Z9/code"))
        .bearer_auth(ADMIN)
        .json(&json!({}))
        .send()
        .await
        .expect("POST code");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_stored_order_is_replayed_after_its_tables_code_changed() {
    let server = start().await;
    let old = code_of(&listed_url(&server, "A1").await);
    let key = new_key();
    let order = at_a1(Some(&old));
    let first = server.post_order_as_is(Some(&key), &order).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.expect("json");

    let rotated = server
        .client
        .post(server.url("/api/v1/admin/tables/A1/code"))
        .bearer_auth(ADMIN)
        .json(&json!({}))
        .send()
        .await
        .expect("POST code");
    assert_eq!(rotated.status(), StatusCode::OK);

    // The phone never heard the 201 and retries, same key, same body.
    let replay = server.post_order_as_is(Some(&key), &order).await;
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replayed: Value = replay.json().await.expect("json");
    assert_eq!(replayed["id"], first["id"]);
    // A new order with the old code is refused.
    let (status, kind, _) = refused(&server, &order).await;
    assert_eq!((status, kind.as_str()), (422, "table-code-refused"));
    assert_eq!(server.stored_order_count().await, 1);
}
