//! Alipay WAP against the sandbox, through the `wendan-payments` codec.

use std::time::Duration;

use uuid::Uuid;
use wendan_payments::alipay::request::{
    AppIds, SignedRequest, TradeMethod, refund, trade_call, wap_pay,
};
use wendan_payments::alipay::response::{Call, verify};
use wendan_payments::{Amount, MerchantRef, Payment, PaymentState, ProviderOutcome, Source};

use crate::support::{Harness, now};

pub fn app(h: &Harness) -> AppIds {
    AppIds {
        app_id: h.sandbox.sandbox.config.alipay_app_id.clone(),
        notify_url: format!("{}/alipay/notify", h.receiver_url),
    }
}

/// The diner's browser follows the signed redirect to the gateway, which
/// opens the cashier (creating the trade); returns the wallet's path.
pub async fn open_cashier(
    h: &Harness,
    reference: &MerchantRef,
    amount: &Amount,
    return_url: &str,
) -> String {
    let redirect = wap_pay(
        &app(h),
        &h.keys.alipay_app,
        reference,
        amount,
        "Wendan order",
        now() + time::Duration::minutes(15),
        return_url,
        now(),
    )
    .unwrap();
    let response = h
        .http
        .get(redirect.url(&h.url("/gateway.do")).unwrap())
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Posts a signed call to the gateway and verifies the signed answer.
pub async fn call(
    h: &Harness,
    request: &SignedRequest,
    call: Call,
) -> wendan_payments::alipay::response::TradeAnswer {
    let body = h
        .http
        .post(h.url("/gateway.do"))
        .header(
            "Content-Type",
            "application/x-www-form-urlencoded;charset=utf-8",
        )
        .body(request.form().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    verify(&body, call, &h.keys.alipay.verifying_key()).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test]
async fn a_wap_payment_redirects_is_paid_notified_queried_and_refunded_once() {
    let h = Harness::start().await;
    let order = Uuid::new_v4();
    let reference = MerchantRef::trade(order, 1).unwrap();
    let key = &h.keys.alipay_app;

    // Before the diner opens the cashier the trade does not exist: not paid.
    let query = trade_call(&app(&h), key, TradeMethod::Query, &reference, now()).unwrap();
    let answer = call(&h, &query, Call::Query).await;
    let seen = answer
        .observation(Call::Query, &reference, Source::Query)
        .unwrap()
        .unwrap();
    assert_eq!(seen.outcome, ProviderOutcome::NotPaid);

    // The diner's browser follows the signed redirect to the gateway.
    let wallet = open_cashier(
        &h,
        &reference,
        &Amount::cny(8800),
        "https://shop.example/?order=1",
    )
    .await;
    let page = h
        .http
        .get(h.url(&wallet))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("88.00 CNY") && page.contains("no real money"),
        "{page}"
    );
    assert!(h.receiver.received().is_empty());

    // Pay: back to return_url with the numbers (which prove nothing).
    let (status, location) = h.tap(&wallet, "pay", None).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(
        location.starts_with("https://shop.example/?order=1&out_trade_no="),
        "{location}"
    );

    // The notification verifies (answered exactly `success`) and is Paid.
    let received = h.receiver.wait_for(1, Duration::from_secs(3)).await;
    assert_eq!(received[0].provider, "alipay");
    let seen = received[0].verified.clone().unwrap().unwrap();
    let pending = Payment {
        state: PaymentState::Pending,
        attempt: 1,
        ..Payment::new(order, Amount::cny(8800))
    };
    let paid = pending.observe(&seen).unwrap().payment;
    assert_eq!(paid.state, PaymentState::Paid);

    // The query agrees.
    let answer = call(&h, &query, Call::Query).await;
    let queried = answer
        .observation(Call::Query, &reference, Source::Query)
        .unwrap()
        .unwrap();
    assert_eq!(queried.outcome, ProviderOutcome::Paid);
    assert_eq!(
        queried.transaction_id,
        paid.transaction_reference().map(str::to_owned)
    );

    // A paid trade cannot be closed.
    let close = trade_call(&app(&h), key, TradeMethod::Close, &reference, now()).unwrap();
    let answer = call(&h, &close, Call::Close).await;
    assert_eq!(answer.sub_code.as_deref(), Some("ACQ.TRADE_STATUS_ERROR"));

    // Refund twice under the same number: money moves once.
    let request = refund(
        &app(&h),
        key,
        &reference,
        &Amount::cny(8800),
        "cancelled",
        now(),
    )
    .unwrap();
    let first = call(&h, &request, Call::Refund).await;
    assert_eq!(first.fund_change.as_deref(), Some("Y"));
    let second = call(&h, &request, Call::Refund).await;
    assert_eq!(second.fund_change.as_deref(), Some("N"));
    let refunded = paid
        .refund()
        .unwrap()
        .payment
        .observe(
            &first
                .observation(Call::Refund, &reference, Source::RefundAnswer)
                .unwrap()
                .unwrap(),
        )
        .unwrap();
    assert_eq!(refunded.payment.state, PaymentState::Refunded);
    let ledger = h.ledger().await;
    assert_eq!(
        ledger["payments"][0]["refunds"].as_array().unwrap().len(),
        1
    );
    // The refund notification is the trade, closed with its refund.
    let received = h.receiver.wait_for(2, Duration::from_secs(3)).await;
    assert_eq!(
        received[1].verified.clone().unwrap().unwrap().outcome,
        ProviderOutcome::Refunded
    );
}

#[tokio::test]
async fn an_unpaid_trade_is_closed_and_cannot_be_paid_after() {
    let h = Harness::start().await;
    let reference = MerchantRef::trade(Uuid::new_v4(), 1).unwrap();
    let key = &h.keys.alipay_app;
    let wallet = open_cashier(&h, &reference, &Amount::cny(500), "https://shop.example/").await;
    let close = trade_call(&app(&h), key, TradeMethod::Close, &reference, now()).unwrap();
    let answer = call(&h, &close, Call::Close).await;
    assert_eq!(
        answer
            .observation(Call::Close, &reference, Source::CloseAnswer)
            .unwrap()
            .unwrap()
            .outcome,
        ProviderOutcome::Closed
    );
    h.tap(&wallet, "pay", None).await;
    let ledger = h.ledger().await;
    assert!(
        ledger["payments"][0]["captures"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(ledger["payments"][0]["status"], "closed");
}

#[tokio::test]
async fn a_redirect_or_call_not_signed_by_the_merchant_is_refused() {
    let h = Harness::start().await;
    let reference = MerchantRef::trade(Uuid::new_v4(), 1).unwrap();
    // Signed with Alipay's key instead of the merchant's.
    let wrong_key = &h.keys.alipay;
    let redirect = wap_pay(
        &app(&h),
        wrong_key,
        &reference,
        &Amount::cny(500),
        "Tea",
        now() + time::Duration::minutes(15),
        "https://shop.example/",
        now(),
    )
    .unwrap();
    let response = h
        .http
        .get(redirect.url(&h.url("/gateway.do")).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let query = trade_call(&app(&h), wrong_key, TradeMethod::Query, &reference, now()).unwrap();
    let answer = call(&h, &query, Call::Query).await;
    assert_eq!(answer.sub_code.as_deref(), Some("isv.invalid-signature"));
    assert!(h.ledger().await["payments"].as_array().unwrap().is_empty());
}
