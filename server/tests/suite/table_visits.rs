//! Table visits (开台 → 清台): the first order or scan at a table opens one,
//! later rounds join it, staff clear, move (换桌) and settle it, and the
//! table's phones read its bill with the table's code. On SQLite, and on
//! PostgreSQL when `WENDAN_TEST_POSTGRES` is set.

use futures_util::future::join_all;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, ORIGIN};
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::orders::{TRIPE_AND_POT_TOTAL, new_key, problem_type, tripe_and_pot};
use crate::support::staff::no_redirects;

const KITCHEN: &str = "kitchen-tablet-R7q2Vx9p";

async fn start(extra: &[&str]) -> TestServer {
    let mut args = vec!["--kitchen-token", KITCHEN];
    args.extend_from_slice(extra);
    TestServer::start(&args).await
}

fn at(table: &str) -> Value {
    let mut order = tripe_and_pot();
    order["table"] = json!(table);
    order
}

/// Places an order at `table` as a diner who scanned its code: the answer.
async fn order_at(server: &TestServer, table: &str) -> (StatusCode, Value) {
    let response = server.post_order(Some(&new_key()), &at(table)).await;
    let status = response.status();
    (status, response.json().await.expect("json"))
}

async fn visit_of(server: &TestServer, table: &str) -> String {
    let (status, order) = order_at(server, table).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    order["visit_id"].as_str().expect("a visit").to_owned()
}

async fn scan(server: &TestServer, table: &str) -> reqwest::Response {
    let code = server.table_code(table).await.expect("the table's code");
    server
        .client
        .post(server.url(&format!("/api/v1/tables/{table}/visit")))
        .json(&json!({ "code": code }))
        .send()
        .await
        .expect("POST visit")
}

async fn bill(server: &TestServer, table: &str, code: &str) -> reqwest::Response {
    server
        .client
        .get(server.url(&format!("/api/v1/tables/{table}/bill")))
        .query(&[("code", code)])
        .send()
        .await
        .expect("GET bill")
}

async fn bill_json(server: &TestServer, table: &str) -> Value {
    let code = server.table_code(table).await.expect("code");
    let response = bill(server, table, &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("bill")
}

async fn staff(server: &TestServer, path: &str, body: Value) -> reqwest::Response {
    server
        .client
        .post(server.url(path))
        .bearer_auth(KITCHEN)
        .json(&body)
        .send()
        .await
        .expect("POST")
}

async fn board(server: &TestServer) -> Value {
    server
        .client
        .get(server.url("/api/v1/kitchen/board"))
        .bearer_auth(KITCHEN)
        .send()
        .await
        .expect("GET board")
        .json()
        .await
        .expect("board")
}

#[tokio::test]
async fn the_first_order_at_a_table_opens_its_visit_and_later_rounds_join_it() {
    let server = start(&[]).await;
    let first = visit_of(&server, "A1").await;
    assert_eq!(visit_of(&server, "A1").await, first, "a second round");
    assert_ne!(visit_of(&server, "A2").await, first, "another table");
    let mut pickup = tripe_and_pot();
    pickup["mode"] = json!("pickup");
    pickup["table"] = Value::Null;
    pickup["pickup_name"] = json!("Li");
    let taken: Value = server
        .post_order(Some(&new_key()), &pickup)
        .await
        .json()
        .await
        .expect("json");
    assert!(taken.get("visit_id").is_none(), "{taken}");

    let bill = bill_json(&server, "A1").await;
    assert_eq!(bill["visit"]["id"], first.as_str());
    assert_eq!(bill["visit"]["opened_by"], "scan");
    assert_eq!(bill["orders"].as_array().expect("orders").len(), 2);
    assert_eq!(bill["total_minor"], 2 * TRIPE_AND_POT_TOTAL);
    assert_eq!(bill["owed_minor"], 2 * TRIPE_AND_POT_TOTAL);

    let board = board(&server).await;
    let tables: Vec<&str> = board["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(|bill| bill["visit"]["table"].as_str().expect("table"))
        .collect();
    assert_eq!(tables, ["A1", "A2"], "longest open first");
    let add_ons: Vec<&Value> = board["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .map(|ticket| &ticket["add_on_to"])
        .collect();
    assert_eq!(add_ons[1], 1, "the second round at A1 is an add-on to #1");
}

#[tokio::test]
async fn a_bill_needs_the_tables_current_code() {
    let server = start(&[]).await;
    visit_of(&server, "A1").await;
    let a2 = server.table_code("A2").await.expect("code");
    for wrong in ["", "0000000000000000", a2.as_str()] {
        let (status, kind, _) = problem_type(bill(&server, "A1", wrong).await).await;
        assert_eq!(
            (status, kind.as_str()),
            (422, "table-code-refused"),
            "{wrong}"
        );
    }
    let (status, _, _) = problem_type(bill(&server, "Z9", "x").await).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn clearing_the_table_starts_the_next_partys_visit() {
    let server = start(&[]).await;
    let last_party = visit_of(&server, "A1").await;
    let cleared = staff(
        &server,
        &format!("/api/v1/kitchen/visits/{last_party}/clear"),
        json!({}),
    )
    .await;
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    assert!(
        board(&server).await["tables"]
            .as_array()
            .expect("tables")
            .is_empty()
    );
    let code = server.table_code("A1").await.expect("code");
    assert_eq!(
        bill(&server, "A1", &code).await.status(),
        StatusCode::NOT_FOUND
    );

    let next_party = visit_of(&server, "A1").await;
    assert_ne!(next_party, last_party);
    let board = board(&server).await;
    let tickets = board["tickets"].as_array().expect("tickets");
    assert_eq!(tickets.len(), 2, "the last party's order is still cooking");
    assert!(
        tickets[1].get("add_on_to").is_none(),
        "the next party's first order is not the last party's add-on: {}",
        tickets[1]
    );
    let again = staff(
        &server,
        &format!("/api/v1/kitchen/visits/{last_party}/clear"),
        json!({}),
    )
    .await;
    assert_eq!(
        again.status(),
        StatusCode::NO_CONTENT,
        "clearing twice is no change"
    );
}

#[tokio::test]
async fn phones_scanning_and_ordering_at_once_open_one_visit() {
    let server = start(&[]).await;
    server.table_code("B3").await.expect("B3");
    let scans = join_all((0..8).map(|_| scan(&server, "B3"))).await;
    let mut visits = Vec::new();
    for response in scans {
        assert_eq!(response.status(), StatusCode::OK);
        let visit: Value = response.json().await.expect("visit");
        visits.push(visit["id"].as_str().expect("id").to_owned());
    }
    let orders = join_all((0..6).map(|_| order_at(&server, "B4"))).await;
    let mut ordered = Vec::new();
    for (status, order) in orders {
        assert_eq!(status, StatusCode::CREATED, "{order}");
        ordered.push(order["visit_id"].as_str().expect("visit").to_owned());
    }
    visits.dedup();
    ordered.dedup();
    assert_eq!(visits.len(), 1, "eight scans, one visit");
    assert_eq!(ordered.len(), 1, "six first orders, one visit");
    assert_eq!(
        board(&server).await["tables"]
            .as_array()
            .expect("tables")
            .len(),
        2
    );
}

#[tokio::test]
async fn where_staff_open_tables_a_table_takes_orders_only_once_opened() {
    let server = start(&["--table-visits", "by-staff"]).await;
    let (status, refusal) = order_at(&server, "A1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refusal["type"], "/problems/table-not-open", "{refusal}");
    let (status, kind, _) = problem_type(scan(&server, "A1").await).await;
    assert_eq!((status, kind.as_str()), (422, "table-not-open"));

    let opened = staff(&server, "/api/v1/kitchen/tables/A1/open", json!({})).await;
    assert_eq!(opened.status(), StatusCode::OK);
    let opened: Value = opened.json().await.expect("visit");
    assert_eq!(opened["opened_by"], "staff");
    assert_eq!(
        visit_of(&server, "A1").await,
        opened["id"].as_str().expect("id")
    );
    let scanned: Value = scan(&server, "A1").await.json().await.expect("visit");
    assert_eq!(scanned["id"], opened["id"]);
    let missing = staff(&server, "/api/v1/kitchen/tables/Z9/open", json!({})).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_party_moves_with_its_orders_and_a_table_with_its_own_party_is_refused() {
    let server = start(&[]).await;
    let party = visit_of(&server, "A1").await;
    visit_of(&server, "A2").await;
    let path = format!("/api/v1/kitchen/visits/{party}/move");
    let move_to = |table: &'static str| staff(&server, &path, json!({ "table": table }));
    let (status, kind, _) = problem_type(move_to("A2").await).await;
    assert_eq!((status, kind.as_str()), (409, "invalid-transition"));
    let (status, _, _) = problem_type(move_to("Z9").await).await;
    assert_eq!(status, 404);

    let moved = move_to("A3").await;
    assert_eq!(moved.status(), StatusCode::OK);
    let moved: Value = moved.json().await.expect("visit");
    assert_eq!(moved["table"], "A3");
    let board = board(&server).await;
    let first = &board["tickets"][0];
    assert_eq!(
        first["order"]["table"], "A1",
        "the order says where it was placed"
    );
    assert_eq!(first["seated_at"], "A3", "the food goes to A3: {first}");

    let a1 = server.table_code("A1").await.expect("code");
    assert_eq!(
        bill(&server, "A1", &a1).await.status(),
        StatusCode::NOT_FOUND
    );
    let at_a3 = bill_json(&server, "A3").await;
    assert_eq!(at_a3["visit"]["id"], party.as_str());
    assert_eq!(at_a3["orders"].as_array().expect("orders").len(), 1);
    assert_eq!(
        visit_of(&server, "A3").await,
        party,
        "the next round at A3 joins it"
    );
}

#[tokio::test]
async fn settling_at_the_counter_pays_every_owed_order_once_and_clears_the_table() {
    let server = start(&[]).await;
    let party = visit_of(&server, "A1").await;
    visit_of(&server, "A1").await;
    let settled = staff(
        &server,
        &format!("/api/v1/kitchen/visits/{party}/settle"),
        json!({}),
    )
    .await;
    assert_eq!(settled.status(), StatusCode::OK);
    let settled: Value = settled.json().await.expect("bill");
    assert_eq!(settled["owed_minor"], 0, "{settled}");
    assert_eq!(settled["total_minor"], 2 * TRIPE_AND_POT_TOTAL);
    assert_eq!(settled["visit"]["closed_by"], "bill");
    for order in settled["orders"].as_array().expect("orders") {
        assert_eq!(order["payment"], "paid", "{order}");
        let id = order["order_id"].as_str().expect("id");
        let payment = server
            .get_json(&format!("/api/v1/orders/{id}/payment"))
            .await;
        assert_eq!(payment["payment"], "paid", "{payment}");
        assert_eq!(payment["provider"], "counter", "{payment}");
    }
    assert!(
        board(&server).await["tables"]
            .as_array()
            .expect("tables")
            .is_empty()
    );

    let again = staff(
        &server,
        &format!("/api/v1/kitchen/visits/{party}/settle"),
        json!({}),
    )
    .await;
    let (status, kind, _) = problem_type(again).await;
    assert_eq!((status, kind.as_str()), (409, "invalid-transition"));
    assert_ne!(
        visit_of(&server, "A1").await,
        party,
        "the next party's visit"
    );
}

#[tokio::test]
async fn the_admin_tables_page_shows_open_tables_and_opens_and_clears_them() {
    const ADMIN: &str = "owner-office-T4b1eC0d";
    let server = start(&["--admin-token", ADMIN]).await;
    let party = visit_of(&server, "A1").await;
    let cookie = server.admin_cookie(ADMIN).await;
    let sheet = |cookie: String| {
        let server = &server;
        async move {
            no_redirects()
                .get(server.url("/admin/tables?lang=en"))
                .header("cookie", cookie)
                .send()
                .await
                .expect("GET tables")
                .text()
                .await
                .expect("page")
        }
    };
    let post = |path: &'static str| {
        let (server, cookie) = (&server, cookie.clone());
        async move {
            let response = no_redirects()
                .post(server.url(path))
                .header("cookie", cookie)
                .header(ORIGIN, server.base.as_str())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body("lang=en")
                .send()
                .await
                .expect("POST");
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
        }
    };
    let page = sheet(cookie.clone()).await;
    assert!(page.contains("Clear table A1"), "A1 is open");
    assert!(page.contains("Open a table A2"), "A2 is free");

    post("/admin/tables/A1/clear").await;
    let visit: Value = server
        .client
        .get(server.url("/api/v1/kitchen/board"))
        .bearer_auth(KITCHEN)
        .send()
        .await
        .expect("board")
        .json()
        .await
        .expect("json");
    assert!(visit["tables"].as_array().expect("tables").is_empty());
    post("/admin/tables/A2/open").await;
    let page = sheet(cookie.clone()).await;
    assert!(page.contains("Clear table A2") && page.contains("Open a table A1"));
    assert_ne!(visit_of(&server, "A1").await, party);
}

#[tokio::test]
async fn the_admin_tables_page_moves_a_party_to_a_free_table_only() {
    const ADMIN: &str = "owner-office-T4b1eC0d";
    let server = start(&["--admin-token", ADMIN]).await;
    let party = visit_of(&server, "A1").await;
    visit_of(&server, "A2").await;
    let cookie = server.admin_cookie(ADMIN).await;
    let move_to = |to: &'static str| {
        let (server, cookie) = (&server, cookie.clone());
        async move {
            no_redirects()
                .post(server.url("/admin/tables/A1/move"))
                .header("cookie", cookie)
                .header(ORIGIN, server.base.as_str())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(format!("lang=en&to={to}"))
                .send()
                .await
                .expect("POST move")
        }
    };
    let taken = move_to("A2").await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert!(
        taken
            .text()
            .await
            .expect("page")
            .contains("That table has its own party"),
        "the page says why, in its language"
    );
    let nowhere = move_to("Z9").await;
    assert_eq!(nowhere.status(), StatusCode::CONFLICT);
    assert!(
        nowhere
            .text()
            .await
            .expect("page")
            .contains("There is no such table")
    );

    let moved = move_to("A5").await;
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);
    let bill = bill_json(&server, "A5").await;
    assert_eq!(
        bill["visit"]["id"],
        party.as_str(),
        "the party sits at A5 now"
    );
}
