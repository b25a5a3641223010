//! Each payment adapter against the payment sandbox, unchanged from how it
//! would run against the live provider: create (twice: the same payment) →
//! the diner pays in the sandbox's wallet → the sandbox's notification is
//! verified by `verify_notification` → the query agrees → close and refund,
//! once; and the failures: a query that hangs or answers 5xx is an unknown
//! outcome, never a failed payment; a forged or mis-stated notification is
//! refused.

use std::time::Duration;

use serde_json::json;
use wendan_payments::{Amount, Currency, Payment, PaymentState, ProviderOutcome, Refusal, Source};
use wendan_server::payments::paths::RETURN_PARAMETER;
use wendan_server::payments::sandbox::WECHAT_APPID;
use wendan_server::payments::{
    Attempt, CaptureRefund, Channel, Handoff, NotificationError, PaymentProvider, ProviderError,
    ProviderId,
};

use crate::paysim_harness::{Harness, Verdict, now};

fn jsapi() -> Channel {
    Channel::WechatJsapi {
        openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
    }
}

fn eur(minor: i64) -> Amount {
    Amount::new(minor, Currency::new("EUR").unwrap())
}

fn no_change(state: PaymentState) -> Refusal {
    Refusal::NoChange { state }
}

/// The kitchen cancels a paid order: the refund, under the capture's own
/// number, is asked for twice and gives the money back once.
async fn refunded_once(
    h: &Harness,
    provider: &dyn PaymentProvider,
    paid: &Payment,
    attempt: &Attempt,
) -> Payment {
    let refund = CaptureRefund::of_payment(paid, "kitchen cancelled").unwrap();
    let answer = provider.refund(&refund, now()).await.unwrap().unwrap();
    let refunded = paid
        .refund()
        .unwrap()
        .payment
        .observe(&answer)
        .unwrap()
        .payment;
    assert_eq!(refunded.state, PaymentState::Refunded);
    // Asked again: the same refund (Alipay: `fund_change=N`, nothing to say).
    if let Some(repeated) = provider.refund(&refund, now()).await.unwrap() {
        assert_eq!(
            refunded.observe(&repeated),
            Err(no_change(PaymentState::Refunded))
        );
    }
    let entry = h.ledger_entry(attempt).await;
    assert_eq!(entry["captures"].as_array().unwrap().len(), 1);
    assert_eq!(entry["refunds"].as_array().unwrap().len(), 1);
    refunded
}

#[tokio::test]
async fn wechat_jsapi_is_created_once_paid_notified_queried_and_refunded_once() {
    let h = Harness::start().await;
    let (pending, attempt, wechat) = h.begin(Amount::cny(8800), jsapi());
    assert_eq!(wechat.id(), ProviderId::Wechat);

    // "Pay", then "Pay" again from another tab: the same prepay_id.
    let first = wechat.create(&attempt, now()).await.unwrap();
    let again = wechat.create(&attempt, now()).await.unwrap();
    let (Handoff::WechatBridge { payment }, Handoff::WechatBridge { payment: resumed }) =
        (&first.handoff, &again.handoff)
    else {
        panic!("JSAPI hands over bridge parameters: {first:?}");
    };
    assert_eq!(payment.package, resumed.package);
    assert_eq!(first.handle, again.handle);
    assert_eq!(payment.app_id, WECHAT_APPID);
    // What WeChat's client checks before it shows the payment sheet.
    payment.verify(&h.keys.wechat_merchant_public()).unwrap();
    assert_eq!(h.ledger().await["payments"].as_array().unwrap().len(), 1);
    // WeChat read the same instant from `time_expire` (written in Beijing time).
    assert_eq!(
        h.ledger_entry(&attempt).await["expires_at"],
        attempt.expires_at.unix_timestamp()
    );

    // Before the diner pays, the query says so and changes nothing.
    let unpaid = wechat.query(&attempt, now()).await.unwrap().unwrap();
    assert_eq!(unpaid.outcome, ProviderOutcome::NotPaid);
    assert_eq!(
        pending.observe(&unpaid),
        Err(no_change(PaymentState::Pending))
    );

    let prepay_id = first.handle.clone().unwrap();
    let (status, _) = h
        .tap(&format!("/sandbox/wallet/wechat/{prepay_id}"), "pay", None)
        .await;
    assert_eq!(status, 200);

    // The signed, encrypted notification verifies and captures the payment.
    let received = h.wait_for(1).await;
    assert_eq!(received[0].provider, ProviderId::Wechat);
    let paid = pending.observe(&received[0].observation()).unwrap();
    assert!(paid.newly_captured());
    let paid = paid.payment;

    // The query agrees (a repeat for the transition); a close finds it paid.
    let queried = wechat.query(&attempt, now()).await.unwrap().unwrap();
    assert_eq!(queried.source, Source::Query);
    assert_eq!(paid.observe(&queried), Err(no_change(PaymentState::Paid)));
    let closed = wechat.close(&attempt, now()).await.unwrap().unwrap();
    assert_eq!(closed.outcome, ProviderOutcome::Paid);
    assert_eq!(paid.observe(&closed), Err(no_change(PaymentState::Paid)));

    refunded_once(&h, &*wechat, &paid, &attempt).await;
    // The refund notification verifies too, and every one was acknowledged.
    let received = h.wait_for(2).await;
    assert_eq!(received[1].observation().outcome, ProviderOutcome::Refunded);
    let entry = h.ledger_entry(&attempt).await;
    for notification in entry["notifications"].as_array().unwrap() {
        assert_eq!(notification["acknowledged"], true, "{notification}");
    }
}

#[tokio::test]
async fn wechat_hands_over_to_a_mini_program_and_h5_comes_back_to_the_widget() {
    let h = Harness::start().await;
    let (_, attempt, wechat) = h.begin(
        Amount::cny(2600),
        Channel::WechatMiniProgram {
            openid: "o-mini".into(),
        },
    );
    let created = wechat.create(&attempt, now()).await.unwrap();
    let Handoff::MiniProgram { order_id, payment } = created.handoff else {
        panic!("a mini-program hand-over");
    };
    assert_eq!(
        order_id,
        attempt.merchant_ref.order_id().simple().to_string()
    );
    payment.verify(&h.keys.wechat_merchant_public()).unwrap();

    // H5: WeChat's page, then back to the widget, told which order.
    let (pending, attempt, _) = h.begin(
        Amount::cny(2600),
        Channel::WechatH5 {
            payer_client_ip: "203.0.113.7".into(),
        },
    );
    let Handoff::Redirect { url } = wechat.create(&attempt, now()).await.unwrap().handoff else {
        panic!("H5 redirects");
    };
    let order = attempt.merchant_ref.order_id();
    let back = format!("{}/?{RETURN_PARAMETER}={order}", h.public_url);
    let page = h.http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&back), "the page knows the way back: {page}");
    let (status, location) = h.tap(&url, "decline", Some(&back)).await;
    assert_eq!((status, location.as_deref()), (303, Some(back.as_str())));

    // Declined: failed, closed (关单), and only then a new attempt.
    let failed = wechat.query(&attempt, now()).await.unwrap().unwrap();
    assert_eq!(failed.outcome, ProviderOutcome::Failed);
    let failed = pending.observe(&failed).unwrap().payment;
    assert_eq!(failed.needs_close(), Some(attempt.merchant_ref));
    let closed = wechat.close(&attempt, now()).await.unwrap().unwrap();
    let closed = failed.observe(&closed).unwrap().payment;
    assert_eq!(closed.state, PaymentState::Closed);
    let (_, next) = closed.begin().unwrap();
    assert_ne!(next.merchant_ref(), attempt.merchant_ref);
    assert_eq!(h.ledger_entry(&attempt).await["status"], "closed");
}

#[tokio::test]
async fn alipay_redirects_to_one_trade_is_paid_notified_queried_and_refunded_once() {
    let h = Harness::start().await;
    let (pending, attempt, alipay) = h.begin(Amount::cny(3000), Channel::AlipayWap);

    // Before the diner opens the cashier Alipay has no such trade: not paid,
    // and a close settles nothing until the attempt has expired.
    let unknown = alipay.query(&attempt, now()).await.unwrap().unwrap();
    assert_eq!(unknown.outcome, ProviderOutcome::NotPaid);
    assert_eq!(alipay.close(&attempt, now()).await.unwrap(), None);
    let expired = alipay
        .close(&attempt, attempt.expires_at)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(expired.outcome, ProviderOutcome::Closed);

    // Two "Pay"s: two signed redirects, one trade.
    let mut wallets = Vec::new();
    for _ in 0..2 {
        let Handoff::Redirect { url } = alipay.create(&attempt, now()).await.unwrap().handoff
        else {
            panic!("Alipay redirects");
        };
        wallets.push(h.open(&url).await.expect("the gateway opens the cashier"));
    }
    assert_eq!(wallets[0], wallets[1]);
    assert_eq!(h.ledger().await["payments"].as_array().unwrap().len(), 1);

    let (status, location) = h.tap(&wallets[0], "pay", None).await;
    assert_eq!(status, 303);
    let order = attempt.merchant_ref.order_id();
    assert!(
        location
            .unwrap()
            .starts_with(&format!("{}/?{RETURN_PARAMETER}={order}&", h.public_url)),
        "back to the widget"
    );

    let received = h.wait_for(1).await;
    let paid = pending.observe(&received[0].observation()).unwrap();
    assert!(paid.newly_captured());
    let paid = paid.payment;
    let queried = alipay.query(&attempt, now()).await.unwrap().unwrap();
    assert_eq!(paid.observe(&queried), Err(no_change(PaymentState::Paid)));
    let closed = alipay.close(&attempt, now()).await.unwrap().unwrap();
    assert_eq!(
        closed.outcome,
        ProviderOutcome::Paid,
        "a paid trade is not closed"
    );

    refunded_once(&h, &*alipay, &paid, &attempt).await;
    let received = h.wait_for(2).await;
    assert_eq!(received[1].observation().outcome, ProviderOutcome::Refunded);
    // Acknowledged with exactly `success`, so Alipay stopped resending.
    assert_eq!(
        h.ledger_entry(&attempt).await["notifications"][0]["acknowledged"],
        true
    );
}

#[tokio::test]
async fn stripe_checkout_is_one_session_paid_by_webhook_queried_and_refunded_once() {
    let h = Harness::start().await;
    let (pending, mut attempt, stripe) = h.begin(eur(1250), Channel::StripeCheckout);

    let first = stripe.create(&attempt, now()).await.unwrap();
    let again = stripe.create(&attempt, now()).await.unwrap();
    assert_eq!(first, again, "the same key and body: the same session");
    assert_eq!(h.ledger().await["payments"].as_array().unwrap().len(), 1);
    let Handoff::Redirect { url } = first.handoff else {
        panic!("Checkout redirects");
    };
    attempt.handle = first.handle.clone();
    let unpaid = stripe.query(&attempt, now()).await.unwrap().unwrap();
    assert_eq!(unpaid.outcome, ProviderOutcome::NotPaid);

    let (status, location) = h.tap(&url, "pay", None).await;
    assert_eq!(status, 303);
    let order = attempt.merchant_ref.order_id();
    assert_eq!(
        location.unwrap(),
        format!("{}/?{RETURN_PARAMETER}={order}", h.public_url)
    );

    // Two events (session completed, PaymentIntent succeeded): one change.
    let received = h.wait_for(2).await;
    let paid = pending.observe(&received[0].observation()).unwrap().payment;
    assert_eq!(paid.state, PaymentState::Paid);
    assert_eq!(
        paid.observe(&received[1].observation()),
        Err(no_change(PaymentState::Paid))
    );

    // The query agrees, with the session id stored or (a crash lost it)
    // found again by the same create.
    let queried = stripe.query(&attempt, now()).await.unwrap().unwrap();
    assert_eq!(paid.observe(&queried), Err(no_change(PaymentState::Paid)));
    let forgotten = wendan_server::payments::Attempt {
        handle: None,
        ..attempt.clone()
    };
    let found = stripe.query(&forgotten, now()).await.unwrap().unwrap();
    assert_eq!(found.transaction_id, queried.transaction_id);
    let closed = stripe.close(&attempt, now()).await.unwrap().unwrap();
    assert_eq!(
        closed.outcome,
        ProviderOutcome::Paid,
        "a paid session does not expire"
    );
    assert_eq!(h.ledger().await["payments"].as_array().unwrap().len(), 1);

    refunded_once(&h, &*stripe, &paid, &attempt).await;
    let received = h.wait_for(3).await;
    assert_eq!(received[2].observation().outcome, ProviderOutcome::Refunded);
}

#[tokio::test]
async fn a_declined_card_fails_and_the_session_is_expired_before_another_attempt() {
    let h = Harness::start().await;
    let (pending, mut attempt, stripe) = h.begin(eur(990), Channel::StripeCheckout);
    let created = stripe.create(&attempt, now()).await.unwrap();
    attempt.handle = created.handle;
    let Handoff::Redirect { url } = created.handoff else {
        panic!("Checkout redirects");
    };
    h.tap(&url, "decline", None).await;
    let received = h.wait_for(1).await;
    let failed = pending.observe(&received[0].observation()).unwrap().payment;
    assert_eq!(failed.state, PaymentState::Failed);
    let closed = stripe.close(&attempt, now()).await.unwrap().unwrap();
    assert_eq!(closed.outcome, ProviderOutcome::Closed);
    assert_eq!(
        failed.observe(&closed).unwrap().payment.state,
        PaymentState::Closed
    );
    // The expired session can never be paid.
    h.tap(&url, "pay", None).await;
    assert!(
        h.ledger_entry(&attempt).await["captures"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn queries_that_hang_or_answer_5xx_are_unknown_never_a_failed_payment() {
    let h = Harness::start().await;
    let channels = [jsapi(), Channel::AlipayWap, Channel::StripeCheckout];
    for channel in channels {
        let (_, mut attempt, provider) = h.begin(Amount::cny(1800), channel);
        attempt.handle = provider.create(&attempt, now()).await.unwrap().handle;
        if provider.id() == ProviderId::Alipay {
            // The trade exists once the diner opens the cashier.
            let Handoff::Redirect { url } = provider.create(&attempt, now()).await.unwrap().handoff
            else {
                panic!("Alipay redirects");
            };
            h.open(&url).await;
        }

        h.faults(&attempt, json!({"query_error": 1.0})).await;
        let error = provider.query(&attempt, now()).await.unwrap_err();
        assert!(
            matches!(
                error,
                ProviderError::Failed {
                    status: 500,
                    provider_trouble: true,
                    ..
                }
            ),
            "{}: {error}",
            provider.id()
        );
        assert!(error.outcome_unknown(), "{error}");

        // The sandbox hangs for 3 s; the server waits 1 s (--payment-timeout-secs).
        h.faults(
            &attempt,
            json!({"query_timeout": 1.0, "query_hang_ms": 3000}),
        )
        .await;
        let started = std::time::Instant::now();
        let error = provider.query(&attempt, now()).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(2500), "{error}");
        let ProviderError::NotReached { source, .. } = &error else {
            panic!("{}: a timeout is no answer: {error}", provider.id());
        };
        assert!(source.is_timeout(), "{source}");
        assert!(error.outcome_unknown());
    }
}

#[tokio::test]
async fn a_provider_that_cannot_be_reached_is_an_unknown_outcome() {
    let h = Harness::start().await;
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let config = <wendan_server::Config as clap::Parser>::try_parse_from([
        "wendan-server",
        "--demo",
        "--payment-sandbox",
        &h.keys_dir.path().display().to_string(),
        "--payment-sandbox-url",
        &nowhere,
    ])
    .unwrap();
    let providers = config.payments.providers(&config.public_url()).unwrap();
    for channel in [jsapi(), Channel::StripeCheckout] {
        let provider = providers.for_channel(&channel).unwrap();
        let (_, attempt, _) = h.begin(Amount::cny(100), channel);
        let error = provider.create(&attempt, now()).await.unwrap_err();
        assert!(matches!(error, ProviderError::NotReached { .. }), "{error}");
        assert!(error.outcome_unknown());
    }
    let (_, attempt, _) = h.begin(Amount::cny(100), Channel::AlipayWap);
    let alipay = providers.get(ProviderId::Alipay).unwrap();
    let error = alipay.query(&attempt, now()).await.unwrap_err();
    assert!(matches!(error, ProviderError::NotReached { .. }), "{error}");
}

/// Creates a payment on `channel` and has the diner pay it in the wallet.
async fn paid_in_wallet(
    h: &Harness,
    channel: Channel,
    faults: serde_json::Value,
) -> wendan_payments::Payment {
    let (pending, attempt, provider) = h.begin(Amount::cny(4200), channel);
    h.faults(&attempt, faults).await;
    let created = provider.create(&attempt, now()).await.unwrap();
    let wallet = match (&created.handoff, provider.id()) {
        (Handoff::WechatBridge { .. }, _) => {
            format!("/sandbox/wallet/wechat/{}", created.handle.unwrap())
        }
        (Handoff::Redirect { url }, ProviderId::Alipay) => h.open(url).await.unwrap(),
        (Handoff::Redirect { url }, _) => url.clone(),
        (other, _) => panic!("{other:?}"),
    };
    h.tap(&wallet, "pay", None).await;
    pending
}

#[tokio::test]
async fn forged_notifications_are_refused_and_the_provider_sends_them_again() {
    // WeChat and Stripe resend within a second (scaled), Alipay after 2.4 s.
    for (channel, deliveries) in [
        (jsapi(), 2),
        (Channel::AlipayWap, 1),
        (Channel::StripeCheckout, 2),
    ] {
        let h = Harness::start().await;
        let provider = channel.provider();
        paid_in_wallet(&h, channel, json!({"bad_signature": 1.0})).await;
        let received = h.wait_for(deliveries).await;
        assert!(received.len() >= deliveries, "{provider}: {received:?}");
        for r in &received {
            assert!(
                matches!(&r.verdict, Verdict::Unverified(why) if why.contains("signature")),
                "{provider}: {r:?}"
            );
        }
        // None was acknowledged: a real notification would keep coming until one verified.
        for payment in h.ledger().await["payments"].as_array().unwrap() {
            for notification in payment["notifications"].as_array().unwrap() {
                assert_eq!(notification["acknowledged"], false, "{notification}");
            }
        }
    }
}

#[tokio::test]
async fn a_notification_with_a_wrong_amount_verifies_but_the_transition_refuses_it() {
    for channel in [jsapi(), Channel::AlipayWap, Channel::StripeCheckout] {
        let h = Harness::start().await;
        let pending = paid_in_wallet(&h, channel, json!({"wrong_amount": 1.0})).await;
        let received = h.wait_for(1).await;
        let seen = received[0].observation();
        assert_eq!(
            seen.amount,
            Some(Amount::cny(4201)),
            "signed correctly, one fen more"
        );
        assert_eq!(
            pending.observe(&seen),
            Err(Refusal::AmountMismatch {
                expected: 4200,
                observed: 4201
            })
        );
    }
}

#[tokio::test]
async fn pay_at_the_counter_calls_no_provider() {
    let h = Harness::start().await;
    assert_eq!(
        h.providers.enabled(),
        [
            ProviderId::Wechat,
            ProviderId::Alipay,
            ProviderId::Stripe,
            ProviderId::Counter
        ]
    );
    assert!(h.providers.is_sandbox());
    let (_, attempt, counter) = h.begin(Amount::cny(500), Channel::Counter);
    let created = counter.create(&attempt, now()).await.unwrap();
    assert_eq!(created.handoff, Handoff::Counter);
    assert_eq!(counter.query(&attempt, now()).await.unwrap(), None);
    assert!(matches!(
        counter.verify_notification(&Default::default(), b"", now()),
        Err(NotificationError::NotExpected { .. })
    ));
    // A provider refuses another's channel.
    let wechat = h.provider(ProviderId::Wechat);
    assert!(matches!(
        wechat.create(&attempt, now()).await,
        Err(ProviderError::Unsupported { .. })
    ));
    assert!(h.ledger().await["payments"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn real_credential_flags_work_against_the_sandbox_and_answers_signed_by_another_key_are_not_trusted()
 {
    let h = Harness::start().await;
    let dir = h.keys_dir.path();
    let file = |name: &str| dir.join(name).display().to_string();
    // Switching to the live providers is these flags with the live base URLs.
    let providers = |wechat_platform_key: &str, alipay_public_key: &str| {
        let sandbox = h.url("");
        let args = [
            "wendan-server".to_owned(),
            "--demo".to_owned(),
            format!("--public-url={}", h.public_url),
            format!(
                "--wechat-mchid={}",
                wendan_server::payments::sandbox::WECHAT_MCHID
            ),
            format!("--wechat-appid={WECHAT_APPID}"),
            format!("--wechat-merchant-key={}", file("wechat_merchant_key.pem")),
            format!("--wechat-merchant-serial={}", h.keys.wechat_merchant_serial),
            format!("--wechat-apiv3-key={}", h.keys.wechat_api_v3_key),
            format!("--wechat-platform-key={}", file(wechat_platform_key)),
            format!("--wechat-platform-serial={}", h.keys.wechat_platform_serial),
            format!("--wechat-base-url={sandbox}"),
            format!(
                "--alipay-app-id={}",
                wendan_server::payments::sandbox::ALIPAY_APP_ID
            ),
            format!(
                "--alipay-app-private-key={}",
                file("alipay_app_private_key.pem")
            ),
            format!("--alipay-public-key={}", file(alipay_public_key)),
            format!("--alipay-gateway-url={sandbox}/gateway.do"),
        ];
        let config = <wendan_server::Config as clap::Parser>::try_parse_from(args).unwrap();
        config.payments.providers(&config.public_url()).unwrap()
    };
    let good = providers("wechat_platform_public.pem", "alipay_public_key.pem");
    assert!(!good.is_sandbox());
    let (_, attempt, _) = h.begin(Amount::cny(700), jsapi());
    let wechat = good.get(ProviderId::Wechat).unwrap();
    wechat.create(&attempt, now()).await.unwrap();
    let (_, trade, _) = h.begin(Amount::cny(700), Channel::AlipayWap);
    let alipay = good.get(ProviderId::Alipay).unwrap();
    assert_eq!(
        alipay.query(&trade, now()).await.unwrap().unwrap().outcome,
        ProviderOutcome::NotPaid
    );

    // Each provider's answers checked with the other's key: not trusted. The
    // prepay did happen at WeChat, which is why the outcome is "unknown".
    let crossed = providers("alipay_public_key.pem", "wechat_platform_public.pem");
    let (_, attempt, _) = h.begin(Amount::cny(700), jsapi());
    let error = crossed
        .get(ProviderId::Wechat)
        .unwrap()
        .create(&attempt, now())
        .await
        .unwrap_err();
    assert!(matches!(error, ProviderError::Unreadable { .. }), "{error}");
    assert!(error.outcome_unknown());
    assert_eq!(h.ledger_entry(&attempt).await["status"], "open");
    let error = crossed
        .get(ProviderId::Alipay)
        .unwrap()
        .query(&trade, now())
        .await
        .unwrap_err();
    assert!(matches!(error, ProviderError::Unreadable { .. }), "{error}");
}
