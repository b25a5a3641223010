//! Paying for orders, end to end: a real server (`--payment pay-first`, its
//! providers against the payment sandbox), the sandbox's wallet standing in
//! for the diner's taps, and the sandbox's notifications arriving at the
//! server's real notify routes. Runs on SQLite, and on PostgreSQL under
//! `cargo xtask test`.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use uuid::Uuid;
use wendan_payments::MerchantRef;
use wendan_paysim::Running;

use crate::paysim_harness::{keys_dir, start_sandbox, tap_wallet, test_keys};
use crate::support::TestServer;
use crate::support::orders::{TRIPE_AND_POT_TOTAL, new_key, tripe_and_pot};

const TOKEN: &str = "kitchen-tablet-R7q2Vx9p";

/// A pay-first restaurant and the payment sandbox it pays through.
pub(crate) struct Shop {
    pub(crate) server: TestServer,
    pub(crate) sandbox: Running,
    _keys: tempfile::TempDir,
    pub(crate) http: reqwest::Client,
}

impl Shop {
    pub(crate) async fn open(mode: &str) -> Shop {
        let keys = test_keys();
        let keys_dir = keys_dir(&keys);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let server_url = format!("http://{}", listener.local_addr().expect("address"));
        let sandbox = start_sandbox(&server_url, keys).await;
        let sandbox_url = format!("http://{}", sandbox.addr);
        let keys_path = keys_dir.path().display().to_string();
        let server = TestServer::start_listening(
            listener,
            &[
                "--kitchen-token",
                TOKEN,
                "--payment",
                mode,
                "--payment-sandbox",
                &keys_path,
                "--payment-sandbox-url",
                &sandbox_url,
                "--public-url",
                &server_url,
                "--payment-timeout-secs",
                "2",
            ],
        )
        .await;
        Shop {
            server,
            sandbox,
            _keys: keys_dir,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(5))
                .build()
                .expect("client"),
        }
    }

    /// A pickup order (which pays first in `pay-first` and `either`); its id.
    pub(crate) async fn pickup_order(&self) -> String {
        let mut body = tripe_and_pot();
        body["mode"] = json!("pickup");
        body["table"] = Value::Null;
        body["pickup_name"] = json!("Li");
        let response = self.server.post_order(Some(&new_key()), &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let order: Value = response.json().await.expect("order");
        order["id"].as_str().expect("id").to_owned()
    }

    /// "Pay" on `channel`; the status and the answer.
    pub(crate) async fn pay(&self, order_id: &str, channel: Value) -> (StatusCode, Value) {
        let response = self
            .server
            .client
            .post(
                self.server
                    .url(&format!("/api/v1/orders/{order_id}/payments")),
            )
            .header("Idempotency-Key", format!("\"{}\"", new_key()))
            .json(&channel)
            .send()
            .await
            .expect("POST payments");
        let status = response.status();
        (status, response.json().await.expect("json"))
    }

    pub(crate) async fn payment(&self, order_id: &str) -> Value {
        self.server
            .get_json(&format!("/api/v1/orders/{order_id}/payment"))
            .await
    }

    pub(crate) async fn kitchen_ids(&self) -> Vec<String> {
        self.server
            .kitchen_orders(TOKEN)
            .await
            .iter()
            .map(|order| order["id"].as_str().expect("id").to_owned())
            .collect()
    }

    /// The diner opens the hand-off and taps `tap` in the sandbox's wallet.
    async fn tap(&self, handoff: &Value, tap: &str) {
        let url = handoff["url"].as_str().expect("a redirect hand-off");
        let wallet = if url.contains("/gateway.do") {
            // Alipay: the signed gateway URL leads to the cashier (wallet).
            let response = self.http.get(url).send().await.expect("gateway");
            response
                .headers()
                .get("location")
                .and_then(|value| value.to_str().ok())
                .expect("the gateway redirects to the wallet")
                .to_owned()
        } else {
            url.to_owned()
        };
        let base = format!("http://{}", self.sandbox.addr);
        let (status, _) = tap_wallet(
            &self.http,
            &base,
            &wallet,
            tap,
            Some("http://diner.invalid/back"),
        )
        .await;
        assert!((200..400).contains(&status), "{status}");
    }

    pub(crate) async fn ledger_payments(&self, order_id: &str) -> Vec<Value> {
        let ledger: Value = self
            .http
            .get(format!("http://{}/sandbox/ledger", self.sandbox.addr))
            .send()
            .await
            .expect("ledger")
            .json()
            .await
            .expect("ledger json");
        let order = Uuid::parse_str(order_id).expect("uuid");
        ledger["payments"]
            .as_array()
            .expect("payments")
            .iter()
            .filter(|entry| {
                entry["merchant_ref"]
                    .as_str()
                    .and_then(|text| MerchantRef::parse(text).ok())
                    .is_some_and(|reference| reference.order_id() == order)
            })
            .cloned()
            .collect()
    }

    async fn faults(&self, order_id: &str, attempt: u32, faults: Value) {
        let reference =
            MerchantRef::trade(Uuid::parse_str(order_id).expect("uuid"), attempt).expect("ref");
        let status = self
            .http
            .post(format!(
                "http://{}/sandbox/faults/{reference}",
                self.sandbox.addr
            ))
            .json(&faults)
            .send()
            .await
            .expect("faults")
            .status();
        assert_eq!(status, 204);
    }

    /// Waits (up to 5 s) until the server acknowledged a notification of
    /// the order's payment (it verified; what it changed is another matter).
    async fn wait_for_acknowledged(&self, order_id: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let acknowledged = self.ledger_payments(order_id).await.iter().any(|entry| {
                entry["notifications"]
                    .as_array()
                    .is_some_and(|all| all.iter().any(|n| n["acknowledged"] == true))
            });
            if acknowledged {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no notification was acknowledged"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 5 s) until the payment's `data-payment` word is `word`.
    pub(crate) async fn wait_for_payment(&self, order_id: &str, word: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let payment = self.payment(order_id).await;
            if payment["payment"] == word || Instant::now() > deadline {
                return payment;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn a_pay_first_order_reaches_the_kitchen_when_paid_and_five_taps_make_one_payment() {
    let shop = Shop::open("pay-first").await;
    let order_id = shop.pickup_order().await;
    let order = shop
        .server
        .get_json(&format!("/api/v1/orders/{order_id}"))
        .await;
    assert_eq!(order["status"], "awaiting_payment");
    assert!(
        !shop.kitchen_ids().await.contains(&order_id),
        "the kitchen does not see an unpaid pay-first order"
    );
    assert_eq!(shop.payment(&order_id).await["payment"], "unpaid");

    // "Pay" five times (taps, tabs, the service worker): one payment.
    let mut handoffs = Vec::new();
    for _ in 0..5 {
        let (status, answer) = shop.pay(&order_id, json!({"channel": "alipay_wap"})).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["payment"], "pending");
        assert_eq!(answer["sandbox"], true);
        handoffs.push(answer["handoff"].clone());
    }
    // A different provider while one is in flight resumes the same one.
    let (_, switched) = shop
        .pay(&order_id, json!({"channel": "stripe_checkout"}))
        .await;
    assert_eq!(switched["provider"], "alipay");
    shop.tap(&handoffs[0], "pay").await;
    let paid = shop.wait_for_payment(&order_id, "paid").await;
    assert_eq!(paid["payment"], "paid", "{paid}");
    assert_eq!(paid["order_status"], "received");
    assert!(paid["reference"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(shop.kitchen_ids().await.contains(&order_id));

    let provider_payments = shop.ledger_payments(&order_id).await;
    assert_eq!(provider_payments.len(), 1, "{provider_payments:?}");
    assert_eq!(
        provider_payments[0]["captures"].as_array().map(Vec::len),
        Some(1)
    );
    // Paid: "Pay" again is refused, nothing new is created.
    let (status, _) = shop.pay(&order_id, json!({"channel": "alipay_wap"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(shop.ledger_payments(&order_id).await.len(), 1);
}

#[tokio::test]
async fn a_lost_notification_is_found_by_the_servers_query_when_the_diner_returns() {
    let shop = Shop::open("pay-first").await;
    let order_id = shop.pickup_order().await;
    shop.faults(&order_id, 1, json!({"lose_notification": 1.0}))
        .await;
    let (_, answer) = shop
        .pay(&order_id, json!({"channel": "stripe_checkout"}))
        .await;
    shop.tap(&answer["handoff"], "pay").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The diner's return asks the server, which asks the provider.
    let paid = shop.payment(&order_id).await;
    assert_eq!(paid["payment"], "paid", "{paid}");
    assert!(shop.kitchen_ids().await.contains(&order_id));
}

#[tokio::test]
async fn a_notification_with_a_wrong_amount_changes_nothing_and_the_order_stays_unpaid() {
    let shop = Shop::open("pay-first").await;
    let order_id = shop.pickup_order().await;
    shop.faults(&order_id, 1, json!({"wrong_amount": 1.0}))
        .await;
    let (_, answer) = shop.pay(&order_id, json!({"channel": "alipay_wap"})).await;
    shop.tap(&answer["handoff"], "pay").await;
    // Only once the server has answered the notification does the check mean anything.
    shop.wait_for_acknowledged(&order_id).await;
    let order = shop
        .server
        .get_json(&format!("/api/v1/orders/{order_id}"))
        .await;
    assert_eq!(order["status"], "awaiting_payment");
    assert!(!shop.kitchen_ids().await.contains(&order_id));
    // The diner's return asks the provider, whose query reports what was
    // really paid: that (and only that) sends the order to the kitchen.
    let paid = shop.payment(&order_id).await;
    assert_eq!(paid["payment"], "paid", "{paid}");
    assert!(shop.kitchen_ids().await.contains(&order_id));
}

#[tokio::test]
async fn a_forged_notification_is_refused_and_moves_nothing() {
    let shop = Shop::open("pay-first").await;
    let order_id = shop.pickup_order().await;
    let forged = format!(
        "out_trade_no={}&trade_status=TRADE_SUCCESS&total_amount=93.00&trade_no=1&sign=AAAA&sign_type=RSA2",
        MerchantRef::trade(Uuid::parse_str(&order_id).expect("uuid"), 1).expect("ref")
    );
    let response = shop
        .server
        .client
        .post(shop.server.url("/api/v1/payments/alipay/notify"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(forged)
        .send()
        .await
        .expect("notify");
    assert_ne!(response.text().await.expect("body"), "success");
    assert_eq!(shop.payment(&order_id).await["payment"], "unpaid");
    assert!(!shop.kitchen_ids().await.contains(&order_id));
    // The operator sees it: a rejected notification, counted by provider.
    let metrics = shop
        .server
        .client
        .get(shop.server.url("/metrics"))
        .bearer_auth(wendan_server::config::DEMO_ADMIN_TOKEN)
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(
            r#"wendan_payment_notifications_total{provider="alipay",verdict="rejected"} 1"#
        ),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_declined_payment_is_closed_then_the_same_order_is_paid_on_a_second_attempt() {
    let shop = Shop::open("pay-first").await;
    let order_id = shop.pickup_order().await;
    let (_, first) = shop
        .pay(&order_id, json!({"channel": "stripe_checkout"}))
        .await;
    shop.tap(&first["handoff"], "decline").await;
    let failed = shop.wait_for_payment(&order_id, "failed").await;
    assert_eq!(failed["payment"], "failed", "{failed}");
    // "Pay" again: the failed attempt is closed at the provider first.
    let (status, second) = shop
        .pay(&order_id, json!({"channel": "stripe_checkout"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_ne!(first["handoff"], second["handoff"]);
    shop.tap(&second["handoff"], "pay").await;
    assert_eq!(
        shop.wait_for_payment(&order_id, "paid").await["payment"],
        "paid"
    );
    let attempts = shop.ledger_payments(&order_id).await;
    assert_eq!(attempts.len(), 2);
    let captures: usize = attempts
        .iter()
        .map(|entry| entry["captures"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(captures, 1, "one charge: {attempts:?}");
}

#[tokio::test]
async fn the_kitchen_cancelling_a_paid_order_refunds_it_once() {
    let shop = Shop::open("pay-first").await;
    let order_id = shop.pickup_order().await;
    let (_, answer) = shop.pay(&order_id, json!({"channel": "alipay_wap"})).await;
    shop.tap(&answer["handoff"], "pay").await;
    shop.wait_for_payment(&order_id, "paid").await;
    for _ in 0..2 {
        shop.server
            .client
            .post(
                shop.server
                    .url(&format!("/api/v1/kitchen/orders/{order_id}/status")),
            )
            .bearer_auth(TOKEN)
            .json(&json!({"status": "cancelled", "reason": "out of tripe"}))
            .send()
            .await
            .expect("cancel");
    }
    let refunded = shop.wait_for_payment(&order_id, "refunded").await;
    assert_eq!(refunded["payment"], "refunded", "{refunded}");
    let ledger = shop.ledger_payments(&order_id).await;
    assert_eq!(ledger[0]["refunds"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn staff_settling_at_the_counter_sends_a_pay_first_order_to_the_kitchen() {
    let shop = Shop::open("pay-first").await;
    let order_id = shop.pickup_order().await;
    let (status, chosen) = shop.pay(&order_id, json!({"channel": "counter"})).await;
    assert_eq!(status, StatusCode::OK, "{chosen}");
    assert_eq!(chosen["payment"], "counter");
    assert!(!shop.kitchen_ids().await.contains(&order_id));
    let settled: Value = shop
        .server
        .client
        .post(
            shop.server
                .url(&format!("/api/v1/kitchen/orders/{order_id}/paid")),
        )
        .bearer_auth(TOKEN)
        .json(&json!({}))
        .send()
        .await
        .expect("settle")
        .json()
        .await
        .expect("json");
    assert_eq!(settled["payment"], "paid");
    assert_eq!(settled["reference"], "counter");
    assert!(shop.kitchen_ids().await.contains(&order_id));
    // Only staff settle: a diner cannot.
    let anonymous = shop
        .server
        .client
        .post(
            shop.server
                .url(&format!("/api/v1/kitchen/orders/{order_id}/paid")),
        )
        .json(&json!({}))
        .send()
        .await
        .expect("settle");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn either_mode_sends_dine_in_to_the_kitchen_at_once_and_pickup_pays_first() {
    let shop = Shop::open("either").await;
    let dine_in = shop.server.place().await;
    assert_eq!(dine_in["status"], "received");
    assert_eq!(dine_in["total_minor"], TRIPE_AND_POT_TOTAL);
    let pickup = shop.pickup_order().await;
    let order = shop
        .server
        .get_json(&format!("/api/v1/orders/{pickup}"))
        .await;
    assert_eq!(order["status"], "awaiting_payment");
}

/// The `<tr>` of the dashboard's payment list for `order_id`.
fn payment_row<'a>(page: &'a str, order_id: &str) -> &'a str {
    let start = page
        .find(&format!("<tr data-order=\"{order_id}\""))
        .unwrap_or_else(|| panic!("no row for {order_id} in {page}"));
    let end = start + page[start..].find("</tr>").expect("the row ends");
    &page[start..end]
}

#[tokio::test]
async fn the_dashboard_lists_the_days_payments_and_marks_the_one_the_query_repaired() {
    let shop = Shop::open("pay-first").await;
    // Paid the normal way: the provider's notification tells the server.
    let notified = shop.pickup_order().await;
    let (_, answer) = shop.pay(&notified, json!({"channel": "alipay_wap"})).await;
    shop.tap(&answer["handoff"], "pay").await;
    // Nothing asks the payment before the notification is in: a read now
    // would make the server query, and the query would win the race.
    shop.wait_for_acknowledged(&notified).await;
    // Paid, but the notification is lost: the diner's return makes the
    // server query, which finds the money.
    let lost = shop.pickup_order().await;
    shop.faults(&lost, 1, json!({"lose_notification": 1.0}))
        .await;
    let (_, answer) = shop.pay(&lost, json!({"channel": "stripe_checkout"})).await;
    shop.tap(&answer["handoff"], "pay").await;
    for id in [&notified, &lost] {
        let paid = shop.wait_for_payment(id, "paid").await;
        assert_eq!(paid["payment"], "paid", "{paid}");
    }
    // Still being paid.
    let waiting = shop.pickup_order().await;
    shop.pay(&waiting, json!({"channel": "alipay_wap"})).await;

    let page = shop
        .server
        .client
        .get(shop.server.url("/admin?lang=en"))
        .bearer_auth(wendan_server::config::DEMO_ADMIN_TOKEN)
        .send()
        .await
        .expect("dashboard")
        .text()
        .await
        .expect("html");
    let row = payment_row(&page, &notified);
    assert!(row.contains(r#"data-payment-state="paid""#), "{row}");
    assert!(row.contains("<td>notification</td>"), "{row}");
    assert!(!row.contains("data-repaired"), "{row}");
    let row = payment_row(&page, &lost);
    assert!(row.contains(r#"data-payment-state="paid""#), "{row}");
    assert!(row.contains(r#"data-repaired="true""#), "{row}");
    assert!(row.contains("repaired by query"), "{row}");
    let row = payment_row(&page, &waiting);
    assert!(row.contains(r#"data-payment-state="pending""#), "{row}");
    // The counts by state, the money taken, and one repair.
    for (state, count) in [("paid", 2), ("pending", 1)] {
        let line = format!(
            r#"<tr data-payment-state="{state}"><th scope="row">{state}</th><td class="number">{count}</td></tr>"#
        );
        assert!(page.contains(&line), "{line} in {page}");
    }
    let captured = wendan_protocol::money::format_minor(2 * TRIPE_AND_POT_TOTAL, "CNY");
    assert!(
        page.contains(&format!(
            r#"<dd data-figure="captured"><span class="big">{captured}</span></dd>"#
        )),
        "{page}"
    );
    assert!(
        page.contains(r#"<span class="big" data-figure="repaired">1</span>"#),
        "{page}"
    );
}

#[tokio::test]
async fn the_counter_strip_lists_every_order_awaiting_payment_with_where_its_payment_stands() {
    let shop = Shop::open("pay-first").await;
    let first = shop.pickup_order().await;
    let second = shop.pickup_order().await;
    let (status, _) = shop.pay(&second, json!({"channel": "alipay_wap"})).await;
    assert_eq!(status, StatusCode::OK);
    let board: Value = shop
        .server
        .client
        .get(shop.server.url("/api/v1/kitchen/board"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("board")
        .json()
        .await
        .expect("json");
    let strip: Vec<(&str, &str, bool)> = board["awaiting_payment"]
        .as_array()
        .expect("strip")
        .iter()
        .map(|waiting| {
            (
                waiting["order_id"].as_str().expect("id"),
                waiting["payment"].as_str().expect("payment"),
                waiting["can_settle"].as_bool().expect("can_settle"),
            )
        })
        .collect();
    assert_eq!(
        strip,
        [
            (first.as_str(), "unpaid", true),
            (second.as_str(), "pending", false)
        ],
        "oldest first; staff may not take money while the diner pays online"
    );
}
