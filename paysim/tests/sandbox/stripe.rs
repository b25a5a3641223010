//! Stripe Checkout against the sandbox, through the `wendan-payments` codec.

use std::time::Duration;

use uuid::Uuid;
use wendan_payments::stripe::checkout::{
    CheckoutSession, CreateRequest, NewSession, expire_path, session_path,
};
use wendan_payments::stripe::payment_intent::{
    PaymentIntent, Refund, cancel_path, payment_intent_path, refund_request,
};
use wendan_payments::{
    Amount, Currency, MerchantRef, Payment, PaymentState, ProviderOutcome, Source,
};

use crate::support::Harness;

pub async fn post(h: &Harness, path: &str, body: &str, key: Option<&str>) -> (u16, bool, String) {
    let mut request = h
        .http
        .post(h.url(path))
        .bearer_auth(&h.keys.stripe_secret_key)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.unwrap();
    let replayed = response.headers().contains_key("idempotent-replayed");
    (
        response.status().as_u16(),
        replayed,
        response.text().await.unwrap(),
    )
}

pub async fn get(h: &Harness, path: &str) -> (u16, String) {
    let response = h
        .http
        .get(h.url(path))
        .bearer_auth(&h.keys.stripe_secret_key)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

pub fn eur(minor: i64) -> Amount {
    Amount::new(minor, Currency::new("EUR").unwrap())
}

/// The create request for attempt `reference` of `amount`.
pub fn new_session(reference: &MerchantRef, amount: &Amount) -> CreateRequest {
    NewSession {
        merchant_ref: *reference,
        amount,
        name: "Wendan order",
        success_url: "https://shop.example/?paid={CHECKOUT_SESSION_ID}",
        cancel_url: "https://shop.example/?cancelled=1",
        expires_at: crate::support::now() + time::Duration::minutes(30),
    }
    .request()
    .unwrap()
}

pub async fn create(h: &Harness, reference: &MerchantRef, amount: &Amount) -> CheckoutSession {
    let request = new_session(reference, amount);
    let (status, _, body) = post(
        h,
        "/v1/checkout/sessions",
        &request.body,
        Some(&request.idempotency_key),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn checkout_is_idempotent_paid_on_the_hosted_page_and_refunded_once() {
    let h = Harness::start().await;
    let order = Uuid::new_v4();
    let reference = MerchantRef::trade(order, 1).unwrap();
    let request = new_session(&reference, &eur(1250));

    // The same key and body: the same session, replayed.
    let (status, replayed, first) = post(
        &h,
        "/v1/checkout/sessions",
        &request.body,
        Some(&request.idempotency_key),
    )
    .await;
    assert_eq!((status, replayed), (200, false), "{first}");
    let (_, replayed, again) = post(
        &h,
        "/v1/checkout/sessions",
        &request.body,
        Some(&request.idempotency_key),
    )
    .await;
    assert!(replayed);
    assert_eq!(first, again);
    // The same key with another body is refused.
    let other_body = request.body.replace("1250", "1");
    let (status, _, refused) = post(
        &h,
        "/v1/checkout/sessions",
        &other_body,
        Some(&request.idempotency_key),
    )
    .await;
    assert_eq!(status, 400);
    assert!(refused.contains("idempotency_error"), "{refused}");
    assert_eq!(h.ledger().await["payments"].as_array().unwrap().len(), 1);

    let session: CheckoutSession = serde_json::from_str(&first).unwrap();
    assert_eq!(session.order_id(), Some(order.to_string().as_str()));
    let wallet = session.url.clone().unwrap();
    let wallet = wallet.trim_start_matches(&h.url(""));
    let (status, location) = h.tap(wallet, "pay", None).await;
    assert_eq!(status, 303);
    assert_eq!(
        location.unwrap(),
        format!("https://shop.example/?paid={}", session.id)
    );

    // Two events: the session completed and the PaymentIntent succeeded, both
    // verified; the second is a repeat for the transition.
    let received = h.receiver.wait_for(2, Duration::from_secs(3)).await;
    let pending = Payment {
        state: PaymentState::Pending,
        attempt: 1,
        ..Payment::new(order, eur(1250))
    };
    let mut payment = pending;
    let mut changes = 0;
    for event in &received {
        let seen = event.verified.clone().unwrap().unwrap();
        assert_eq!(seen.outcome, ProviderOutcome::Paid);
        if let Ok(change) = payment.observe(&seen) {
            payment = change.payment;
            changes += 1;
        }
    }
    assert_eq!((payment.state, changes), (PaymentState::Paid, 1));

    // Retrieve agrees; a succeeded PaymentIntent cannot be cancelled.
    let (_, body) = get(&h, &session_path(&session.id)).await;
    let retrieved: CheckoutSession = serde_json::from_str(&body).unwrap();
    assert_eq!(
        retrieved.observation(Source::Query).unwrap().outcome,
        ProviderOutcome::Paid
    );
    let intent_id = retrieved.payment_intent.clone().unwrap();
    let (_, body) = get(&h, &payment_intent_path(&intent_id)).await;
    let intent: PaymentIntent = serde_json::from_str(&body).unwrap();
    assert_eq!(
        intent.observation(Source::Query).unwrap().outcome,
        ProviderOutcome::Paid
    );
    let (status, _, _) = post(&h, &cancel_path(&intent_id), "", None).await;
    assert_eq!(status, 400);
    let (status, _, _) = post(&h, &expire_path(&session.id), "", None).await;
    assert_eq!(status, 400);

    // Refund, twice with the capture's key: one refund.
    let refund = refund_request(&reference, &intent_id, &eur(1250)).unwrap();
    let (status, _, first) = post(
        &h,
        "/v1/refunds",
        &refund.body,
        Some(&refund.idempotency_key),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    let (_, replayed, second) = post(
        &h,
        "/v1/refunds",
        &refund.body,
        Some(&refund.idempotency_key),
    )
    .await;
    assert!(replayed);
    assert_eq!(first, second);
    let made: Refund = serde_json::from_str(&first).unwrap();
    let refunded = payment
        .refund()
        .unwrap()
        .payment
        .observe(&made.observation(Source::RefundAnswer).unwrap().unwrap())
        .unwrap();
    assert_eq!(refunded.payment.state, PaymentState::Refunded);
    // charge.refunded arrives, carrying our number from the PaymentIntent.
    let received = h.receiver.wait_for(3, Duration::from_secs(3)).await;
    assert_eq!(
        received[2].verified.clone().unwrap().unwrap().outcome,
        ProviderOutcome::Refunded
    );
    assert_eq!(
        h.ledger().await["payments"][0]["refunds"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_declined_card_fails_and_an_expired_session_can_never_be_paid() {
    let h = Harness::start().await;
    let order = Uuid::new_v4();
    let reference = MerchantRef::trade(order, 1).unwrap();
    let session = create(&h, &reference, &eur(990)).await;
    let wallet = session.url.clone().unwrap();
    let wallet = wallet.trim_start_matches(&h.url(""));
    let (status, _) = h.tap(wallet, "decline", None).await;
    assert_eq!(status, 200, "the diner stays on the hosted page");
    let received = h.receiver.wait_for(1, Duration::from_secs(3)).await;
    assert_eq!(
        received[0].verified.clone().unwrap().unwrap().outcome,
        ProviderOutcome::Failed
    );

    let (status, _, body) = post(&h, &expire_path(&session.id), "", None).await;
    assert_eq!(status, 200, "{body}");
    let expired: CheckoutSession = serde_json::from_str(&body).unwrap();
    assert_eq!(
        expired.observation(Source::CloseAnswer).unwrap().outcome,
        ProviderOutcome::Closed
    );
    h.tap(wallet, "pay", None).await;
    let ledger = h.ledger().await;
    assert!(
        ledger["payments"][0]["captures"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Cancelling on the hosted page goes back to cancel_url.
    let other = create(&h, &MerchantRef::trade(order, 2).unwrap(), &eur(990)).await;
    let other_wallet = other.url.clone().unwrap();
    let (_, location) = h
        .tap(other_wallet.trim_start_matches(&h.url("")), "cancel", None)
        .await;
    assert_eq!(
        location.as_deref(),
        Some("https://shop.example/?cancelled=1")
    );
}

#[tokio::test]
async fn a_request_without_the_secret_key_is_refused() {
    let h = Harness::start().await;
    let response = h
        .http
        .post(h.url("/v1/checkout/sessions"))
        .body("mode=payment")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
