//! Every fault on command, observed as specified, and what the payment
//! transition makes of it.

use std::time::{Duration, Instant};

use serde_json::json;
use uuid::Uuid;
use wendan_payments::alipay::request::{TradeMethod, trade_call};
use wendan_payments::wechat::refund::RefundRequest;
use wendan_payments::wechat::transaction::{Channel, JsapiPrepay, Transaction, query_url};
use wendan_payments::{
    Amount, MerchantRef, Payment, PaymentState, ProviderOutcome, Refusal, Source,
};

use crate::support::{Harness, now};
use crate::{alipay, stripe, wechat};

fn pending(order: Uuid, amount: Amount) -> Payment {
    Payment {
        state: PaymentState::Pending,
        attempt: 1,
        ..Payment::new(order, amount)
    }
}

/// Creates a WeChat JSAPI payment and pays it in the wallet.
async fn wechat_paid(h: &Harness) -> (Uuid, MerchantRef, Instant) {
    let order = Uuid::new_v4();
    let reference = MerchantRef::trade(order, 1).unwrap();
    let request = wechat::prepay(
        h,
        &reference,
        Channel::Jsapi {
            openid: "o-test".into(),
        },
    );
    let (_, answer) = wechat::call(
        h,
        "POST",
        request.path(),
        &serde_json::to_string(&request).unwrap(),
    )
    .await;
    let prepay_id = serde_json::from_str::<JsapiPrepay>(&answer)
        .unwrap()
        .prepay_id;
    let tapped = Instant::now();
    h.tap(&format!("/sandbox/wallet/wechat/{prepay_id}"), "pay", None)
        .await;
    (order, reference, tapped)
}

#[tokio::test]
async fn a_lost_notification_never_arrives_and_the_query_finds_the_payment() {
    let h = Harness::start().await;
    h.faults(json!({"lose_notification": 1.0})).await;
    let (order, reference, _) = wechat_paid(&h).await;
    // Ten of WeChat's retry periods, scaled: nothing.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(h.receiver.received().is_empty());
    let ledger = h.ledger().await;
    assert_eq!(ledger["payments"][0]["notifications"][0]["attempts"], 0);
    let (_, answer) = wechat::query(&h, &reference).await;
    let seen = serde_json::from_str::<Transaction>(&answer)
        .unwrap()
        .observation(Source::Query)
        .unwrap();
    let change = pending(order, Amount::cny(8800)).observe(&seen).unwrap();
    assert!(change.newly_captured());
}

#[tokio::test]
async fn a_notification_sent_twice_changes_the_payment_once() {
    let h = Harness::start().await;
    h.faults(json!({"duplicate_notification": 1.0})).await;
    let (order, _, _) = wechat_paid(&h).await;
    let received = h.receiver.wait_for(2, Duration::from_secs(3)).await;
    assert_eq!(received.len(), 2);
    let first = received[0].verified.clone().unwrap().unwrap();
    let second = received[1].verified.clone().unwrap().unwrap();
    assert_eq!(first, second);
    let paid = pending(order, Amount::cny(8800))
        .observe(&first)
        .unwrap()
        .payment;
    assert_eq!(
        paid.observe(&second),
        Err(Refusal::NoChange {
            state: PaymentState::Paid
        })
    );
}

#[tokio::test]
async fn out_of_order_the_refund_overtakes_the_payment_and_the_transition_still_ends_refunded() {
    let h = Harness::start().await;
    h.faults(json!({"out_of_order": 1.0})).await;
    let (order, reference, _) = wechat_paid(&h).await;
    let refund = RefundRequest::full(&reference, &Amount::cny(8800), "cancelled", None).unwrap();
    let (status, _) = wechat::call(
        &h,
        "POST",
        "/v3/refund/domestic/refunds",
        &serde_json::to_string(&refund).unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let received = h.receiver.wait_for(2, Duration::from_secs(3)).await;
    let outcomes: Vec<_> = received
        .iter()
        .map(|r| r.verified.clone().unwrap().unwrap().outcome)
        .collect();
    assert_eq!(
        outcomes,
        [ProviderOutcome::Refunded, ProviderOutcome::Paid],
        "the refund came first"
    );
    // News of a refund before news of the capture changes nothing...
    let payment = pending(order, Amount::cny(8800));
    let early = received[0].verified.clone().unwrap().unwrap();
    assert!(payment.observe(&early).unwrap_err().is_harmless());
    // ...the capture then counts, and the refund news, seen again (query), ends it.
    let paid = payment
        .observe(&received[1].verified.clone().unwrap().unwrap())
        .unwrap()
        .payment;
    let refunded = paid.observe(&early).unwrap().payment;
    assert_eq!(refunded.state, PaymentState::Refunded);
}

#[tokio::test]
async fn a_delayed_notification_arrives_after_the_merchants_query_found_the_payment() {
    let h = Harness::start().await;
    h.faults(json!({"delay_notification_ms": 500})).await;
    let (order, reference, tapped) = wechat_paid(&h).await;
    let (_, answer) = wechat::query(&h, &reference).await;
    let seen = serde_json::from_str::<Transaction>(&answer)
        .unwrap()
        .observation(Source::Query)
        .unwrap();
    let paid = pending(order, Amount::cny(8800))
        .observe(&seen)
        .unwrap()
        .payment;
    assert!(h.receiver.received().is_empty(), "the query was first");
    let received = h.receiver.wait_for(1, Duration::from_secs(3)).await;
    assert!(received[0].at.duration_since(tapped) >= Duration::from_millis(500));
    let late = received[0].verified.clone().unwrap().unwrap();
    assert_eq!(
        paid.observe(&late),
        Err(Refusal::NoChange {
            state: PaymentState::Paid
        })
    );
}

#[tokio::test]
async fn a_badly_signed_notification_is_refused_by_the_merchant_and_retried() {
    let h = Harness::start().await;
    h.faults(json!({"bad_signature": 1.0})).await;
    wechat_paid(&h).await;
    let received = h.receiver.wait_for(3, Duration::from_secs(3)).await;
    assert!(
        received.len() >= 3,
        "retried at 0, 150, 300 ms: {}",
        received.len()
    );
    for r in &received {
        let error = r.verified.clone().unwrap_err();
        assert!(error.contains("signature"), "{error}");
    }
    let ledger = h.ledger().await;
    assert_eq!(
        ledger["payments"][0]["notifications"][0]["acknowledged"],
        false
    );
}

#[tokio::test]
async fn a_notification_with_a_wrong_amount_verifies_but_the_transition_refuses_it() {
    let h = Harness::start().await;
    h.faults(json!({"wrong_amount": 1.0})).await;
    let (order, _, _) = wechat_paid(&h).await;
    let received = h.receiver.wait_for(1, Duration::from_secs(3)).await;
    let seen = received[0].verified.clone().unwrap().unwrap();
    assert_eq!(seen.amount, Some(Amount::cny(8801)));
    let refusal = pending(order, Amount::cny(8800))
        .observe(&seen)
        .unwrap_err();
    assert_eq!(
        refusal,
        Refusal::AmountMismatch {
            expected: 8800,
            observed: 8801
        }
    );
    assert!(!refusal.is_harmless());
}

#[tokio::test]
async fn queries_answer_500_or_hang_on_command() {
    let h = Harness::start().await;
    let (_, reference, _) = wechat_paid(&h).await;
    h.faults(json!({"query_error": 1.0})).await;
    let path = query_url(
        &reference.to_string(),
        &h.sandbox.sandbox.config.wechat_mchid,
    );
    let authorization = h
        .wechat_signer()
        .authorization("GET", &path, "", now().unix_timestamp(), "nonce1")
        .unwrap();
    let response = h
        .http
        .get(h.url(&path))
        .header("Authorization", authorization)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);

    h.faults(json!({"query_timeout": 1.0, "query_hang_ms": 2000}))
        .await;
    let order = Uuid::new_v4();
    let session = stripe::create(
        &h,
        &MerchantRef::trade(order, 1).unwrap(),
        &stripe::eur(100),
    )
    .await;
    let started = Instant::now();
    let outcome = h
        .http
        .get(h.url(&wendan_payments::stripe::checkout::session_path(
            &session.id,
        )))
        .bearer_auth(&h.keys.stripe_secret_key)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(outcome.unwrap_err().is_timeout());
    assert!(started.elapsed() < Duration::from_millis(1500));
}

#[tokio::test]
async fn the_network_drops_after_paying_the_capture_stands_and_the_notification_still_comes() {
    let h = Harness::start().await;
    h.faults(json!({"drop_after_pay": 1.0})).await;
    let order = Uuid::new_v4();
    let reference = MerchantRef::trade(order, 1).unwrap();
    let app = alipay::app(&h);
    let wallet =
        alipay::open_cashier(&h, &reference, &Amount::cny(3000), "https://shop.example/").await;
    let (status, location) = h.tap(&wallet, "pay", None).await;
    assert_eq!((status, location), (502, None), "no way back to the shop");
    assert_eq!(
        h.ledger().await["payments"][0]["captures"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let received = h.receiver.wait_for(1, Duration::from_secs(3)).await;
    let seen = received[0].verified.clone().unwrap().unwrap();
    assert!(
        pending(order, Amount::cny(3000))
            .observe(&seen)
            .unwrap()
            .newly_captured()
    );
    // And a query, had the notification been lost, says the same.
    let query = trade_call(
        &app,
        &h.keys.alipay_app,
        TradeMethod::Query,
        &reference,
        now(),
    )
    .unwrap();
    let answer = alipay::call(&h, &query, wendan_payments::alipay::response::Call::Query).await;
    assert_eq!(answer.trade_status.as_deref(), Some("TRADE_SUCCESS"));
}

#[tokio::test]
async fn notifications_are_retried_on_schedule_until_acknowledged() {
    let h = Harness::start().await;
    h.receiver
        .refuse_next
        .store(2, std::sync::atomic::Ordering::SeqCst);
    wechat_paid(&h).await;
    let received = h.receiver.wait_for(3, Duration::from_secs(3)).await;
    assert_eq!(received.len(), 3);
    // WeChat's 15 s and 15 s, divided by 100.
    for pair in received.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(gap >= Duration::from_millis(140), "{gap:?}");
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        h.receiver.received().len(),
        3,
        "no more after the acknowledgement"
    );
    let log = &h.ledger().await["payments"][0]["notifications"][0];
    assert_eq!(
        (log["attempts"].as_u64(), log["acknowledged"].as_bool()),
        (Some(3), Some(true))
    );
}

#[tokio::test]
async fn alipay_wants_exactly_success_and_faults_can_target_one_payment() {
    let h = Harness::start().await;
    *h.receiver.alipay_answer.lock().unwrap() = "SUCCESS".into();
    let lost = MerchantRef::trade(Uuid::new_v4(), 1).unwrap();
    let kept = MerchantRef::trade(Uuid::new_v4(), 1).unwrap();
    let status = h
        .http
        .post(h.url(&format!("/sandbox/faults/{lost}")))
        .json(&json!({"lose_notification": 1.0}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    for reference in [&lost, &kept] {
        let wallet =
            alipay::open_cashier(&h, reference, &Amount::cny(100), "https://shop.example/").await;
        h.tap(&wallet, "pay", None).await;
    }
    let received = h.receiver.wait_for(1, Duration::from_secs(3)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        received.len(),
        1,
        "only the payment without the fault was notified"
    );
    assert_eq!(
        received[0].verified.clone().unwrap().unwrap().merchant_ref,
        kept
    );
    let ledger = h.ledger().await;
    let kept_log = ledger["payments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["merchant_ref"] == kept.to_string())
        .unwrap()["notifications"][0]
        .clone();
    assert_eq!(
        kept_log["acknowledged"], false,
        "`SUCCESS` is not `success`"
    );
}
