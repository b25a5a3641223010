//! Tables under faults: phones (the widget's own `PhoneCart`, run natively)
//! add dishes and tap "+1" at three tables, with answers lost after the
//! server committed, pushes repeated, presses of "Send to kitchen" from
//! several phones at once, and (SQLite) a `kill -9` of the server in the
//! middle. Afterwards every tap the server took is in exactly one order or
//! still in its table's cart, a tap it refused is in neither, and no round
//! made two orders.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::future::join_all;
use reqwest::Client;
use serde_json::{Value, json};
use time::OffsetDateTime;
use wendan_tablecart::{
    CartState, Change, Diner, LineId, Mutation, NewLine, Notice, PhoneCart, PhoneId,
};

use crate::crash::{free_port, spawn_server};
use crate::support::TestServer;
use crate::support::orders::sqlite_table_code;

const KITCHEN: &str = "kitchen-tablet-Fz5r8Lq2";
const TABLES: [&str; 3] = ["A1", "A2", "A3"];
const PHONES_PER_TABLE: usize = 4;
const STEPS: usize = 240;
/// Dishes without options, with their prices on the demo menu.
const DISHES: [(&str, i64); 3] = [
    ("beef-tripe", 3800),
    ("potato-slices", 1000),
    ("lotus-root", 1200),
];

/// A small deterministic generator: the same seed, the same evening.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

struct Phone {
    table: &'static str,
    code: String,
    visit: String,
    cart: PhoneCart,
    /// What each of this phone's changes adds, by its sequence number.
    taps: BTreeMap<u64, (String, i64)>,
    /// Sequence numbers the server refused.
    refused: Vec<u64>,
}

impl Phone {
    fn take_notices(&mut self) {
        for notice in self.cart.take_notices() {
            if let Notice::Rejected { mutation, .. } = notice {
                self.refused.push(mutation.seq);
            }
        }
    }
}

/// The server, seen through a network that may drop a request, or its
/// answer after the server acted on it.
struct Net {
    client: Client,
    base: String,
}

impl Net {
    async fn post(&self, path: &str, body: &Value) -> Option<Value> {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .json(body)
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        if !response.status().is_success() {
            return None;
        }
        response.json().await.ok()
    }
}

async fn seat(net: &Net, code_of: &impl Fn(&str) -> String) -> Vec<Phone> {
    let mut phones = Vec::new();
    for table in TABLES {
        let code = code_of(table);
        let visit = net
            .post(
                &format!("/api/v1/tables/{table}/visit"),
                &json!({ "code": code }),
            )
            .await
            .expect("scan");
        let visit = visit["id"].as_str().expect("visit id").to_owned();
        let state: CartState = net
            .client
            .get(format!(
                "{}/api/v1/tables/{table}/cart?code={code}",
                net.base
            ))
            .send()
            .await
            .expect("cart")
            .json()
            .await
            .expect("cart state");
        for n in 0..PHONES_PER_TABLE {
            let phone = PhoneId::new(format!("{table}-phone-{n}"));
            let diner = Diner::new(format!("{table}-{n}"), "🐼");
            phones.push(Phone {
                table,
                code: code.clone(),
                visit: visit.clone(),
                cart: PhoneCart::new(phone, diner, state.cart.clone()),
                taps: BTreeMap::new(),
                refused: Vec::new(),
            });
        }
    }
    phones
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn add(phone: &mut Phone, dice: &mut Dice) {
    let (item, price) = DISHES[dice.below(DISHES.len())];
    let id = LineId::new(format!(
        "{}-{}",
        phone.cart.phone().as_str(),
        phone.cart.next_seq()
    ));
    let change = Change::AddLine(NewLine {
        id,
        item_id: item.to_owned(),
        options: Vec::new(),
        note: None,
        qty: 1,
        unit_price_minor: price,
        menu_version: "seen".into(),
    });
    if let Ok(made) = phone.cart.apply_local(change, now()) {
        phone.taps.insert(made.seq, (item.to_owned(), 1));
    }
}

fn one_more(phone: &mut Phone, dice: &mut Dice) {
    let lines = phone.cart.view();
    if lines.is_empty() {
        return;
    }
    let line = &lines[dice.below(lines.len())];
    let (id, item) = (line.id.clone(), line.item_id.clone());
    let change = Change::ChangeQty { line: id, delta: 1 };
    if let Ok(made) = phone.cart.apply_local(change, now()) {
        phone.taps.insert(made.seq, (item, 1));
    }
}

/// Pushes the phone's queue; the answer may be lost after the server took it.
async fn push(net: &Net, phone: &mut Phone, lose_answer: bool) {
    let mutations: Vec<Mutation> = phone.cart.to_send();
    if mutations.is_empty() {
        return;
    }
    let body = json!({ "code": phone.code, "visit_id": phone.visit, "mutations": mutations });
    let answer = net
        .post(&format!("/api/v1/tables/{}/cart", phone.table), &body)
        .await;
    if lose_answer {
        return;
    }
    if let Some(state) = answer.and_then(|answer| serde_json::from_value::<CartState>(answer).ok())
    {
        phone.cart.on_server_state(state.cart);
        phone.take_notices();
    }
}

async fn press(net: &Net, phone: &Phone) -> Option<Value> {
    let body = json!({
        "code": phone.code,
        "visit_id": phone.visit,
        "request": phone.cart.send_request(),
    });
    net.post(
        &format!("/api/v1/tables/{}/cart/rounds", phone.table),
        &body,
    )
    .await
}

/// Every phone pushes until the server has answered all it made.
async fn settle(net: &Net, phones: &mut [Phone]) {
    for _ in 0..50 {
        if phones.iter().all(|phone| phone.cart.pending().is_empty()) {
            return;
        }
        for phone in phones.iter_mut() {
            push(net, phone, false).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("phones could not deliver their changes");
}

/// One evening at three tables; `midway` runs once, half-way through.
async fn evening<F: std::future::Future<Output = ()>>(
    net: &Net,
    phones: &mut [Phone],
    seed: u64,
    midway: impl FnOnce() -> F,
) {
    let mut dice = Dice(seed);
    let mut midway = Some(midway);
    for step in 0..STEPS {
        if step == STEPS / 2
            && let Some(midway) = midway.take()
        {
            midway().await;
        }
        let who = dice.below(phones.len());
        match dice.below(10) {
            0..=4 => add(&mut phones[who], &mut dice),
            5..=6 => one_more(&mut phones[who], &mut dice),
            7..=8 => {
                let lose = dice.below(3) == 0;
                push(net, &mut phones[who], lose).await;
            }
            _ => {
                // Two phones at the table press together, after pushing.
                let table = phones[who].table;
                let at_table: Vec<usize> = (0..phones.len())
                    .filter(|&i| phones[i].table == table)
                    .collect();
                let other = at_table[dice.below(at_table.len())];
                push(net, &mut phones[who], false).await;
                push(net, &mut phones[other], false).await;
                join_all([press(net, &phones[who]), press(net, &phones[other])]).await;
            }
        }
    }
    settle(net, phones).await;
}

/// What the taps the server took add up to, per table and dish.
fn tapped(phones: &[Phone]) -> BTreeMap<(String, String), i64> {
    let refused: usize = phones.iter().map(|phone| phone.refused.len()).sum();
    let taps: usize = phones.iter().map(|phone| phone.taps.len()).sum();
    eprintln!("{taps} taps, {refused} refused by the server");
    let mut sums = BTreeMap::new();
    for phone in phones {
        for (seq, (item, qty)) in &phone.taps {
            if !phone.refused.contains(seq) {
                *sums
                    .entry((phone.table.to_owned(), item.clone()))
                    .or_default() += qty;
            }
        }
    }
    sums
}

/// What the kitchen's orders and the tables' carts hold, per table and
/// dish, and each table's orders beside the rounds its cart says were cut.
async fn held(net: &Net, phones: &[Phone]) -> BTreeMap<(String, String), i64> {
    let orders: Vec<Value> = net
        .client
        .get(format!("{}/api/v1/kitchen/orders", net.base))
        .bearer_auth(KITCHEN)
        .send()
        .await
        .expect("orders")
        .json()
        .await
        .expect("orders json");
    let mut sums = BTreeMap::new();
    for order in &orders {
        let table = order["table"].as_str().expect("table").to_owned();
        for line in order["items"].as_array().expect("items") {
            let item = line["item_id"].as_str().expect("item").to_owned();
            *sums.entry((table.clone(), item)).or_default() += line["qty"].as_i64().expect("qty");
        }
    }
    for table in TABLES {
        let phone = phones
            .iter()
            .find(|phone| phone.table == table)
            .expect("a phone");
        let state: CartState = net
            .client
            .get(format!(
                "{}/api/v1/tables/{table}/cart?code={}",
                net.base, phone.code
            ))
            .send()
            .await
            .expect("cart")
            .json()
            .await
            .expect("cart state");
        for line in &state.cart.lines {
            *sums
                .entry((table.to_owned(), line.item_id.clone()))
                .or_default() += i64::from(line.qty);
        }
        let made = orders
            .iter()
            .filter(|order| order["table"] == table)
            .count();
        let cut = usize::try_from(state.cart.round - 1).expect("rounds");
        eprintln!(
            "table {table}: {cut} rounds sent, {} lines left in its cart",
            state.cart.lines.len()
        );
        assert_eq!(made, cut, "table {table}: one order per round cut, no more");
    }
    sums
}

#[tokio::test]
async fn taps_at_tables_with_lost_answers_and_simultaneous_presses_count_once() {
    let server = TestServer::start(&["--kitchen-token", KITCHEN, "--table-cart", "shared"]).await;
    let net = Net {
        client: Client::new(),
        base: server.url(""),
    };
    let mut codes = BTreeMap::new();
    for table in TABLES {
        codes.insert(table, server.table_code(table).await.expect("code"));
    }
    let mut phones = seat(&net, &|table| codes[table].clone()).await;
    evening(&net, &mut phones, 0x5eed_0018, || async {}).await;
    let (tapped, held) = (tapped(&phones), held(&net, &phones).await);
    assert_eq!(held, tapped, "every tap taken is in one order or a cart");
    assert!(
        tapped.values().sum::<i64>() > 50,
        "the evening tapped: {tapped:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_9_in_the_middle_of_an_evening_loses_and_doubles_no_tap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("orders.sqlite3");
    let port = free_port();
    let args = ["--kitchen-token", KITCHEN, "--table-cart", "shared"];
    let server = std::sync::Arc::new(tokio::sync::Mutex::new(
        spawn_server(&database, port, &args).await,
    ));
    let net = Net {
        client: Client::new(),
        base: format!("http://127.0.0.1:{port}"),
    };
    let mut phones = seat(&net, &|table| {
        sqlite_table_code(&database, table).expect("the demo's table")
    })
    .await;
    let restart = {
        let (server, database) = (std::sync::Arc::clone(&server), database.clone());
        move || async move {
            let mut running = server.lock().await;
            running.start_kill().expect("SIGKILL");
            running.wait().await.expect("reaped");
            *running = spawn_server(&database, port, &args).await;
        }
    };
    evening(&net, &mut phones, 0x0dd_0018, restart).await;
    let (tapped, held) = (tapped(&phones), held(&net, &phones).await);
    assert_eq!(held, tapped, "every tap taken is in one order or a cart");
}
