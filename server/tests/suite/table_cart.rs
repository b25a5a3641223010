//! The table's shared cart (issue 18) over HTTP, on both backends: phones
//! push numbered changes that count once, hear the cart on one stream per
//! table, and a round sent to the kitchen is one order however many phones
//! press; a round that cannot be ordered cuts nothing, and a phone from a
//! cleared table changes nothing.

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::orders::problem_type;
use crate::support::sse::read_events;

const KITCHEN: &str = "kitchen-tablet-Cq8m2Zr4";
/// One portion of beef tripe on the demo menu.
const TRIPE_MINOR: i64 = 3800;

async fn start() -> TestServer {
    TestServer::start(&["--kitchen-token", KITCHEN, "--table-cart", "shared"]).await
}

/// A phone at table A1: its id, the table's code and the open visit.
struct Phone<'a> {
    server: &'a TestServer,
    id: &'static str,
    code: String,
    visit: String,
}

impl<'a> Phone<'a> {
    async fn scan(server: &'a TestServer, id: &'static str) -> Phone<'a> {
        let code = server.table_code("A1").await.expect("A1's code");
        let visit: Value = server
            .client
            .post(server.url("/api/v1/tables/A1/visit"))
            .json(&json!({ "code": code }))
            .send()
            .await
            .expect("scan")
            .json()
            .await
            .expect("visit");
        Phone {
            server,
            id,
            code,
            visit: visit["id"].as_str().expect("visit id").to_owned(),
        }
    }

    fn mutation(&self, seq: u64, round: u32, change: Value) -> Value {
        json!({
            "phone": self.id,
            "seq": seq,
            "round": round,
            "by": { "name": self.id, "emoji": "🐼" },
            "change": change,
        })
    }

    async fn push(&self, mutations: Vec<Value>) -> reqwest::Response {
        self.server
            .client
            .post(self.server.url("/api/v1/tables/A1/cart"))
            .json(&json!({ "code": self.code, "visit_id": self.visit, "mutations": mutations }))
            .send()
            .await
            .expect("push")
    }

    async fn pushed(&self, mutations: Vec<Value>) -> Value {
        let response = self.push(mutations).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("cart state")
    }

    async fn press(&self, round: u32, after_seq: u64) -> reqwest::Response {
        self.server
            .client
            .post(self.server.url("/api/v1/tables/A1/cart/rounds"))
            .json(&json!({
                "code": self.code,
                "visit_id": self.visit,
                "request": {
                    "phone": self.id,
                    "round": round,
                    "after_seq": after_seq,
                    "by": { "name": self.id, "emoji": "🐼" },
                },
            }))
            .send()
            .await
            .expect("press")
    }
}

async fn kitchen_board(server: &TestServer) -> Value {
    server
        .client
        .get(server.url("/api/v1/kitchen/board"))
        .bearer_auth(KITCHEN)
        .send()
        .await
        .expect("board")
        .json()
        .await
        .expect("json")
}

fn add_tripe(line: &str, qty: u32) -> Value {
    json!({ "add_line": {
        "id": line, "item_id": "beef-tripe", "options": [], "qty": qty,
        "unit_price_minor": TRIPE_MINOR, "menu_version": "seen",
    }})
}

fn more(line: &str, delta: i32) -> Value {
    json!({ "change_qty": { "line": line, "delta": delta } })
}

#[tokio::test]
async fn phones_at_a_table_share_one_cart_and_each_change_counts_once() {
    let server = start().await;
    let a = Phone::scan(&server, "phone-a").await;
    let b = Phone::scan(&server, "phone-b").await;
    assert_eq!(a.visit, b.visit, "one visit for the table");

    let first = a.pushed(vec![a.mutation(1, 1, add_tripe("a-1", 1))]).await;
    assert_eq!(first["cart"]["acks"]["phone-a"]["last_seq"], 1);
    // The same push again (a retry after a lost answer) changes nothing.
    let again = a.pushed(vec![a.mutation(1, 1, add_tripe("a-1", 1))]).await;
    assert_eq!(again["cart"]["version"], first["cart"]["version"]);
    // Two phones' "+1" both count.
    b.pushed(vec![b.mutation(1, 1, more("a-1", 1))]).await;
    let after = a.pushed(vec![a.mutation(2, 1, more("a-1", 1))]).await;

    let read: Value = server
        .client
        .get(server.url(&format!("/api/v1/tables/A1/cart?code={}", a.code)))
        .send()
        .await
        .expect("GET cart")
        .json()
        .await
        .expect("cart");
    assert_eq!(read["cart"], after["cart"]);
    let lines = read["cart"]["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["qty"], 3);
    assert_eq!(lines[0]["added_by"]["name"], "phone-a");
    assert_eq!(read["cart"]["acks"]["phone-b"]["recent"][0][1], "applied");
}

#[tokio::test]
async fn a_round_is_one_order_however_many_phones_press_and_how_often() {
    let server = start().await;
    let a = Phone::scan(&server, "phone-a").await;
    let b = Phone::scan(&server, "phone-b").await;
    a.pushed(vec![a.mutation(1, 1, add_tripe("a-1", 2))]).await;

    let presses = (0..6).map(|n| {
        let phone = if n % 2 == 0 { &a } else { &b };
        let after_seq = if n % 2 == 0 { 1 } else { 0 };
        async move {
            let response = phone.press(1, after_seq).await;
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.expect("round answer")
        }
    });
    let answers = join_all(presses).await;
    let sent = answers
        .iter()
        .filter(|answer| answer["outcome"].get("sent").is_some())
        .count();
    assert_eq!(sent, 1, "one press cuts the round: {answers:?}");
    let orders: Vec<&Value> = answers
        .iter()
        .map(|answer| &answer["order"]["id"])
        .collect();
    assert!(
        orders.iter().all(|id| *id == orders[0]),
        "every press names one order"
    );

    let id = orders[0].as_str().expect("order id");
    let order = server.get_json(&format!("/api/v1/orders/{id}")).await;
    assert_eq!(order["total_minor"], 2 * TRIPE_MINOR);
    assert_eq!(order["table"], "A1");
    assert_eq!(order["visit_id"], a.visit.as_str());
    assert_eq!(order["status"], "received");

    let board = kitchen_board(&server).await;
    let tickets = board["tickets"].as_array().expect("tickets");
    assert_eq!(
        tickets.len(),
        1,
        "one ticket on the kitchen display: {board}"
    );

    let after = &answers.last().expect("answers")["cart"];
    assert_eq!(after["round"], 2, "the next round is open");
    assert!(after["lines"].as_array().expect("lines").is_empty());
    assert_eq!(after["last_round"]["order"]["id"], id);
    let cutter = answers
        .iter()
        .find_map(|answer| answer["outcome"].get("sent"))
        .expect("the cut");
    assert_eq!(
        after["last_round"]["sent_by"], cutter["sent_by"],
        "every phone is told who sent it"
    );
}

#[tokio::test]
async fn a_round_that_cannot_be_ordered_cuts_nothing_and_says_why() {
    let server = start().await;
    let a = Phone::scan(&server, "phone-a").await;
    a.pushed(vec![a.mutation(1, 1, add_tripe("a-1", 1))]).await;
    let marked = server
        .client
        .put(server.url("/api/v1/kitchen/items/beef-tripe/sold-out"))
        .bearer_auth(KITCHEN)
        .json(&json!({ "sold_out": true }))
        .send()
        .await
        .expect("sold out");
    assert_eq!(marked.status(), StatusCode::OK);

    let (status, kind, problem) = problem_type(a.press(1, 1).await).await;
    assert_eq!((status, kind.as_str()), (422, "invalid-order"), "{problem}");
    assert_eq!(problem["errors"][0]["code"], "sold_out");
    let cart = a.pushed(vec![]).await;
    assert_eq!(cart["cart"]["round"], 1, "nothing was cut");
    assert_eq!(cart["cart"]["lines"].as_array().expect("lines").len(), 1);
}

#[tokio::test]
async fn an_empty_cart_or_a_press_before_the_phones_changes_arrived_sends_nothing() {
    let server = start().await;
    let a = Phone::scan(&server, "phone-a").await;
    let empty: Value = a.press(1, 0).await.json().await.expect("answer");
    assert_eq!(empty["outcome"], "empty");
    assert!(empty.get("order").is_none());
    // The phone pressed after its change 2, which has not arrived.
    a.pushed(vec![a.mutation(1, 1, add_tripe("a-1", 1))]).await;
    let early: Value = a.press(1, 2).await.json().await.expect("answer");
    assert_eq!(early["outcome"]["not_yet"]["applied_up_to"], 1);
    assert_eq!(early["cart"]["round"], 1);
}

#[tokio::test]
async fn a_phone_from_a_cleared_table_changes_nothing_in_the_next_partys_cart() {
    let server = start().await;
    let a = Phone::scan(&server, "phone-a").await;
    a.pushed(vec![a.mutation(1, 1, add_tripe("a-1", 1))]).await;
    let cleared = server
        .client
        .post(server.url(&format!("/api/v1/kitchen/visits/{}/clear", a.visit)))
        .bearer_auth(KITCHEN)
        .json(&json!({}))
        .send()
        .await
        .expect("clear");
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);

    let (status, kind, _) =
        problem_type(a.push(vec![a.mutation(2, 1, add_tripe("a-2", 1))]).await).await;
    assert_eq!((status, kind.as_str()), (409, "visit-ended"));
    let (status, kind, _) = problem_type(a.press(1, 1).await).await;
    assert_eq!((status, kind.as_str()), (409, "visit-ended"));
    let board = kitchen_board(&server).await;
    assert!(
        board["tables"].as_array().expect("tables").is_empty(),
        "a stale phone's push opens no visit: {board}"
    );

    let next = Phone::scan(&server, "phone-c").await;
    assert_ne!(next.visit, a.visit, "the next party has its own visit");
    let cart = next.pushed(vec![]).await;
    assert!(cart["cart"]["lines"].as_array().expect("lines").is_empty());
}

#[tokio::test]
async fn a_wrong_code_or_an_oversized_push_is_refused() {
    let server = start().await;
    let mut a = Phone::scan(&server, "phone-a").await;
    let too_many = (1..=33)
        .map(|seq| a.mutation(seq, 1, more("x", 1)))
        .collect();
    let (status, kind, _) = problem_type(a.push(too_many).await).await;
    assert_eq!((status, kind.as_str()), (400, "malformed-request"));
    a.code = "not-the-code".into();
    let (status, kind, _) =
        problem_type(a.push(vec![a.mutation(1, 1, add_tripe("a-1", 1))]).await).await;
    assert_eq!((status, kind.as_str()), (422, "table-code-refused"));
}

#[tokio::test]
async fn a_restaurant_whose_phones_order_each_for_themselves_has_no_table_cart() {
    let server = TestServer::start(&[]).await;
    let a = Phone::scan(&server, "phone-a").await;
    let (status, kind, _) =
        problem_type(a.push(vec![a.mutation(1, 1, add_tripe("a-1", 1))]).await).await;
    assert_eq!((status, kind.as_str()), (404, "not-found"));
    let (status, _, _) = problem_type(a.press(1, 1).await).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn every_phone_hears_the_tables_cart_on_one_stream() {
    let server = start().await;
    let a = Phone::scan(&server, "phone-a").await;
    let b = Phone::scan(&server, "phone-b").await;
    let stream = server
        .client
        .get(server.url(&format!("/api/v1/tables/A1/cart/events?code={}", b.code)))
        .send()
        .await
        .expect("stream");
    assert_eq!(stream.status(), StatusCode::OK);
    let change = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        a.pushed(vec![a.mutation(1, 1, add_tripe("a-1", 1))]).await;
    };
    let (events, ()) = tokio::join!(read_events(stream, 2), change);
    assert_eq!(events[0].1, "cart");
    assert!(
        events[0].2["cart"]["lines"]
            .as_array()
            .expect("lines")
            .is_empty()
    );
    assert_eq!(events[1].2["visit_id"], b.visit.as_str());
    assert_eq!(events[1].2["cart"]["lines"][0]["id"], "a-1");
}
