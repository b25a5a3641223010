//! WeChat Pay v3 against the sandbox, through the `wendan-payments` codec.

use std::time::Duration;

use uuid::Uuid;
use wendan_payments::wechat::MerchantIds;
use wendan_payments::wechat::auth::{PlatformKeys, WechatpayHeaders};
use wendan_payments::wechat::refund::{Refund, RefundRequest};
use wendan_payments::wechat::transaction::{
    Channel, CloseRequest, H5Prepay, JsapiPrepay, PrepayRequest, Transaction, close_url, query_url,
};
use wendan_payments::{
    Amount, MerchantRef, Payment, PaymentState, ProviderOutcome, Refusal, Source,
};

use crate::support::{Harness, now};

/// A signed call; the answer's `Wechatpay-*` signature is checked too.
pub async fn call(h: &Harness, method: &str, path: &str, body: &str) -> (u16, String) {
    let timestamp = now().unix_timestamp();
    let nonce = Uuid::new_v4().simple().to_string();
    let authorization = h
        .wechat_signer()
        .authorization(method, path, body, timestamp, &nonce)
        .unwrap();
    let request = h
        .http
        .request(method.parse().unwrap(), h.url(path))
        .header("Authorization", authorization)
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let platform = PlatformKeys::new().with(
        h.keys.wechat_platform_serial.clone(),
        h.keys.wechat_platform.verifying_key(),
    );
    WechatpayHeaders::from_headers(|name| headers.get(name).and_then(|v| v.to_str().ok()))
        .expect("every answer is signed")
        .verify(text.as_bytes(), &platform, now())
        .expect("the answer's signature verifies with the platform key");
    (status, text)
}

pub fn merchant(h: &Harness) -> MerchantIds {
    MerchantIds {
        appid: h.sandbox.sandbox.config.wechat_appid.clone(),
        mchid: h.sandbox.sandbox.config.wechat_mchid.clone(),
        notify_url: format!("{}/wechat/notify", h.receiver_url),
    }
}

pub fn prepay(h: &Harness, reference: &MerchantRef, channel: Channel) -> PrepayRequest {
    PrepayRequest::new(
        &merchant(h),
        reference,
        &Amount::cny(8800),
        "Wendan order",
        now() + time::Duration::minutes(15),
        channel,
    )
    .unwrap()
}

fn jsapi() -> Channel {
    Channel::Jsapi {
        openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
    }
}

pub async fn query(h: &Harness, reference: &MerchantRef) -> (u16, String) {
    let mchid = h.sandbox.sandbox.config.wechat_mchid.clone();
    call(h, "GET", &query_url(&reference.to_string(), &mchid), "").await
}

#[tokio::test]
async fn a_jsapi_payment_is_created_once_paid_notified_queried_and_refunded_once() {
    let h = Harness::start().await;
    let order = Uuid::new_v4();
    let reference = MerchantRef::trade(order, 1).unwrap();
    let request = prepay(&h, &reference, jsapi());
    let body = serde_json::to_string(&request).unwrap();

    // Asked five times: one prepay_id.
    let mut ids = vec![];
    for _ in 0..5 {
        let (status, answer) = call(&h, "POST", request.path(), &body).await;
        assert_eq!(status, 200, "{answer}");
        ids.push(
            serde_json::from_str::<JsapiPrepay>(&answer)
                .unwrap()
                .prepay_id,
        );
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    // The same number with another amount is refused.
    let mut other = request.clone();
    other.amount.total = 1;
    let (status, answer) = call(
        &h,
        "POST",
        other.path(),
        &serde_json::to_string(&other).unwrap(),
    )
    .await;
    assert_eq!(
        (status, answer.contains("INVALID_REQUEST")),
        (400, true),
        "{answer}"
    );

    // Before paying, the query says NOTPAY.
    let (_, answer) = query(&h, &reference).await;
    let transaction: Transaction = serde_json::from_str(&answer).unwrap();
    assert_eq!(
        transaction.observation(Source::Query).unwrap().outcome,
        ProviderOutcome::NotPaid
    );

    // The diner pays in the wallet (JSAPI: no redirect back).
    let wallet = format!("/sandbox/wallet/wechat/{}", ids[0]);
    let (status, location) = h.tap(&wallet, "pay", None).await;
    assert_eq!((status, location), (200, None));

    // The verified, decrypted notification takes the payment to Paid.
    let received = h.receiver.wait_for(1, Duration::from_secs(3)).await;
    let observation = received[0].verified.clone().unwrap().unwrap();
    let payment = Payment {
        state: PaymentState::Pending,
        attempt: 1,
        ..Payment::new(order, Amount::cny(8800))
    };
    let paid = payment.observe(&observation).unwrap();
    assert!(paid.newly_captured());
    assert_eq!(paid.payment.state, PaymentState::Paid);

    // The query agrees, and through the transition changes nothing more.
    let (_, answer) = query(&h, &reference).await;
    let queried: Transaction = serde_json::from_str(&answer).unwrap();
    assert_eq!(
        paid.payment
            .observe(&queried.observation(Source::Query).unwrap()),
        Err(Refusal::NoChange {
            state: PaymentState::Paid
        })
    );
    // A paid order cannot be created again nor closed.
    let (status, answer) = call(&h, "POST", request.path(), &body).await;
    assert_eq!(
        (status, answer.contains("ORDERPAID")),
        (400, true),
        "{answer}"
    );
    let close_body = serde_json::to_string(&CloseRequest {
        mchid: merchant(&h).mchid,
    })
    .unwrap();
    let (status, _) = call(&h, "POST", &close_url(&reference.to_string()), &close_body).await;
    assert_eq!(status, 400);

    // Refund twice with the same number: one refund.
    let refund =
        RefundRequest::full(&reference, &Amount::cny(8800), "kitchen cancelled", None).unwrap();
    let refund_body = serde_json::to_string(&refund).unwrap();
    let (status, first) = call(&h, "POST", "/v3/refund/domestic/refunds", &refund_body).await;
    assert_eq!(status, 200, "{first}");
    let (_, second) = call(&h, "POST", "/v3/refund/domestic/refunds", &refund_body).await;
    let first: Refund = serde_json::from_str(&first).unwrap();
    let second: Refund = serde_json::from_str(&second).unwrap();
    assert_eq!(first.refund_id, second.refund_id);
    let refunding = paid.payment.refund().unwrap();
    let refunded = refunding
        .payment
        .observe(&first.observation(Source::RefundAnswer).unwrap().unwrap())
        .unwrap();
    assert_eq!(refunded.payment.state, PaymentState::Refunded);

    // The refund notification arrives too, and the ledger shows one of each.
    let received = h.receiver.wait_for(2, Duration::from_secs(3)).await;
    let refund_seen = received[1].verified.clone().unwrap().unwrap();
    assert_eq!(refund_seen.outcome, ProviderOutcome::Refunded);
    let ledger = h.ledger().await;
    let entry = &ledger["payments"][0];
    assert_eq!(entry["captures"].as_array().unwrap().len(), 1);
    assert_eq!(entry["refunds"].as_array().unwrap().len(), 1);
    assert_eq!(entry["status"], "refunded");
}

#[tokio::test]
async fn a_declined_h5_payment_is_closed_then_retried_under_a_new_number() {
    let h = Harness::start().await;
    let order = Uuid::new_v4();
    let first = MerchantRef::trade(order, 1).unwrap();
    let request = prepay(
        &h,
        &first,
        Channel::H5 {
            payer_client_ip: "203.0.113.7".into(),
        },
    );
    let (status, answer) = call(
        &h,
        "POST",
        request.path(),
        &serde_json::to_string(&request).unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let h5_url = serde_json::from_str::<H5Prepay>(&answer).unwrap().h5_url;
    let wallet = h5_url.trim_start_matches(&h.url(""));
    // The merchant appends its return address, as with the real h5_url.
    let back = "https://shop.example/?order=1";
    let page = h
        .http
        .get(format!("{h5_url}&redirect_url={back}"))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Payment sandbox — no real money"), "{html}");
    assert!(html.contains(back));

    let (status, location) = h.tap(wallet, "decline", Some(back)).await;
    assert_eq!((status, location.as_deref()), (303, Some(back)));
    let (_, answer) = query(&h, &first).await;
    let failed = serde_json::from_str::<Transaction>(&answer)
        .unwrap()
        .observation(Source::Query)
        .unwrap();
    assert_eq!(failed.outcome, ProviderOutcome::Failed);

    let pending = Payment {
        state: PaymentState::Pending,
        attempt: 1,
        ..Payment::new(order, Amount::cny(8800))
    };
    let failed_payment = pending.observe(&failed).unwrap().payment;
    assert_eq!(failed_payment.needs_close(), Some(first));
    assert!(failed_payment.begin().is_err(), "no retry before the close");

    let close_body = serde_json::to_string(&CloseRequest {
        mchid: merchant(&h).mchid,
    })
    .unwrap();
    let (status, _) = call(&h, "POST", &close_url(&first.to_string()), &close_body).await;
    assert_eq!(status, 204);
    let (_, answer) = query(&h, &first).await;
    let closed = serde_json::from_str::<Transaction>(&answer)
        .unwrap()
        .observation(Source::Query)
        .unwrap();
    let closed_payment = failed_payment.observe(&closed).unwrap().payment;
    assert_eq!(closed_payment.state, PaymentState::Closed);

    // The closed attempt cannot be paid any more: tapping captures nothing.
    h.tap(wallet, "pay", Some(back)).await;
    assert!(
        h.ledger().await["payments"][0]["captures"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The retry is a new number, hence a new provider payment.
    let (_, wendan_payments::Begin::Create(second)) = closed_payment.begin().unwrap() else {
        panic!("a new attempt");
    };
    assert_ne!(second, first);
    let retry = prepay(
        &h,
        &second,
        Channel::H5 {
            payer_client_ip: "203.0.113.7".into(),
        },
    );
    let (status, _) = call(
        &h,
        "POST",
        retry.path(),
        &serde_json::to_string(&retry).unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(h.ledger().await["payments"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn requests_not_signed_by_the_merchant_are_refused() {
    let h = Harness::start().await;
    let reference = MerchantRef::trade(Uuid::new_v4(), 1).unwrap();
    let body = serde_json::to_string(&prepay(&h, &reference, jsapi())).unwrap();
    let unsigned = h
        .http
        .post(h.url("/v3/pay/transactions/jsapi"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    // Signed over another body.
    let authorization = h
        .wechat_signer()
        .authorization(
            "POST",
            "/v3/pay/transactions/jsapi",
            "{}",
            now().unix_timestamp(),
            "n",
        )
        .unwrap();
    let forged = h
        .http
        .post(h.url("/v3/pay/transactions/jsapi"))
        .header("Authorization", authorization)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    assert!(h.ledger().await["payments"].as_array().unwrap().is_empty());
}
