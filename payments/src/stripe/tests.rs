//! Known answers for the Stripe codec. Stripe's SDK tests compute their
//! signatures at run time (stripe-go `webhook/client_test.go`), so the
//! vector here takes their secret (`whsec_test_secret`) and event payload
//! shape and was computed once with OpenSSL 3.0:
//! `printf '%s' "1492774577.$PAYLOAD" | openssl dgst -sha256 -hmac whsec_test_secret`.

use time::OffsetDateTime;
use uuid::Uuid;

use super::StripeError;
use super::checkout::{CheckoutSession, NewSession};
use super::payment_intent::{Charge, PaymentIntent, Refund, refund_request};
use super::webhook::{DEFAULT_TOLERANCE, Event, sign, verify};
use crate::{Amount, Currency, MerchantRef, ProviderOutcome, Source};

const SECRET: &str = "whsec_test_secret";
const PAYLOAD: &str = "{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}";
const OPENSSL_V1: &str = "c2f890decbc5ede7c5060bb9a6d31e0626a4342bacb9aeae2adb1bcea72f9812";
const T: i64 = 1492774577;

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

#[test]
fn the_signature_is_the_openssl_hmac_and_verifies() {
    assert_eq!(
        sign(PAYLOAD.as_bytes(), SECRET, T),
        format!("t={T},v1={OPENSSL_V1}")
    );
    verify(
        PAYLOAD.as_bytes(),
        &format!("t={T},v1={OPENSSL_V1}"),
        SECRET,
        at(T),
        DEFAULT_TOLERANCE,
    )
    .unwrap();
}

#[test]
fn signature_headers_are_checked_as_the_official_libraries_check_them() {
    let good = format!("t={T},v1={OPENSSL_V1}");
    let check = |header: &str, payload: &str, secret: &str, now: i64| {
        verify(
            payload.as_bytes(),
            header,
            secret,
            at(now),
            DEFAULT_TOLERANCE,
        )
    };
    // Rolled secrets: any one matching v1 is enough; an unreadable v1 and a v0 are ignored.
    let rolled = format!("{good},v1={}", "ab".repeat(32));
    check(&rolled, PAYLOAD, SECRET, T).unwrap();
    check(
        &format!("{good},v1=bad_signature,v0=00"),
        PAYLOAD,
        SECRET,
        T,
    )
    .unwrap();
    let other_first = format!("t={T},v1={},v1={OPENSSL_V1}", "00".repeat(32));
    check(&other_first, PAYLOAD, SECRET, T).unwrap();
    // Refusals.
    assert!(matches!(
        check("", PAYLOAD, SECRET, T),
        Err(StripeError::InvalidHeader)
    ));
    assert!(matches!(
        check("v1,t=1", PAYLOAD, SECRET, T),
        Err(StripeError::InvalidHeader)
    ));
    assert!(matches!(
        check("t=", PAYLOAD, SECRET, T),
        Err(StripeError::InvalidHeader)
    ));
    assert!(matches!(
        check(&format!("t={T},v0={OPENSSL_V1}"), PAYLOAD, SECRET, T),
        Err(StripeError::NoValidSignature)
    ));
    assert!(matches!(
        check(&good, &format!("{PAYLOAD}["), SECRET, T),
        Err(StripeError::NoValidSignature)
    ));
    assert!(matches!(
        check(&good, PAYLOAD, "whsec_test_secret_rolled_key", T),
        Err(StripeError::NoValidSignature)
    ));
    assert!(matches!(
        check(&format!("t={},v1={OPENSSL_V1}", T + 1), PAYLOAD, SECRET, T),
        Err(StripeError::NoValidSignature)
    ));
    // Five minutes is the edge: inside passes, one second past is too old.
    check(&good, PAYLOAD, SECRET, T + 300).unwrap();
    assert!(matches!(
        check(&good, PAYLOAD, SECRET, T + 301),
        Err(StripeError::TooOld { .. })
    ));
}

fn order_ref() -> MerchantRef {
    MerchantRef::trade(
        Uuid::from_u128(0x0196_0000_7a3e_7000_8000_0000_0000_0042),
        1,
    )
    .unwrap()
}

#[test]
fn the_checkout_session_form_names_the_order_and_carries_an_idempotency_key() {
    let amount = Amount::new(1250, Currency::new("EUR").unwrap());
    let session = NewSession {
        merchant_ref: order_ref(),
        amount: &amount,
        name: "Wendan order A1-0042",
        success_url: "https://shop.example/?paid={CHECKOUT_SESSION_ID}",
        cancel_url: "https://shop.example/?cancelled=1",
        expires_at: at(1772425800),
    };
    let request = session.request().unwrap();
    assert_eq!(
        request.idempotency_key,
        "wendan-AGLAAAD2HZYABAAAAAAAAAAAII_1"
    );
    assert_eq!(
        session.request().unwrap(),
        request,
        "asking again is the same request"
    );
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&request.body).unwrap();
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{key} missing"))
    };
    assert_eq!(get("mode"), "payment");
    assert_eq!(
        get("client_reference_id"),
        "01960000-7a3e-7000-8000-000000000042"
    );
    assert_eq!(get("line_items[0][price_data][currency]"), "eur");
    assert_eq!(get("line_items[0][price_data][unit_amount]"), "1250");
    assert_eq!(get("line_items[0][quantity]"), "1");
    assert_eq!(get("expires_at"), "1772425800");
    assert_eq!(get("metadata[wendan_ref]"), "AGLAAAD2HZYABAAAAAAAAAAAII_1");
    assert_eq!(
        get("payment_intent_data[metadata][wendan_ref]"),
        "AGLAAAD2HZYABAAAAAAAAAAAII_1"
    );
    assert!(
        request.body.contains("line_items%5B0%5D%5Bquantity%5D=1"),
        "{}",
        request.body
    );
}

fn session(status: &str, payment_status: &str) -> CheckoutSession {
    serde_json::from_value(serde_json::json!({
        "id": "cs_test_a1Znb7gdtlLEPzSi8qMIJzvsSPpIBMKFWovXx0h0O43WS411PpICgCqKjw",
        "object": "checkout.session",
        "status": status,
        "payment_status": payment_status,
        "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "amount_total": 1250,
        "currency": "eur",
        "client_reference_id": "01960000-7a3e-7000-8000-000000000042",
        "metadata": {"order_id": "01960000-7a3e-7000-8000-000000000042", "wendan_ref": "AGLAAAD2HZYABAAAAAAAAAAAII_1"},
        "url": null
    }))
    .unwrap()
}

#[test]
fn sessions_intents_refunds_and_charges_map_to_observations() {
    let cases = [
        (session("complete", "paid"), ProviderOutcome::Paid),
        (session("complete", "unpaid"), ProviderOutcome::Paying),
        (session("open", "unpaid"), ProviderOutcome::NotPaid),
        (session("expired", "unpaid"), ProviderOutcome::Closed),
    ];
    for (session, outcome) in cases {
        let seen = session.observation(Source::Query).unwrap();
        assert_eq!(seen.outcome, outcome);
        assert_eq!(seen.merchant_ref, order_ref());
        assert_eq!(
            seen.amount,
            Some(Amount::new(1250, Currency::new("EUR").unwrap()))
        );
    }
    let mut no_intent = session("complete", "paid");
    no_intent.payment_intent = None;
    assert!(matches!(
        no_intent.observation(Source::Query),
        Err(StripeError::Incomplete)
    ));
    let mut foreign = session("complete", "paid");
    foreign.metadata.clear();
    assert!(matches!(
        foreign.observation(Source::Query),
        Err(StripeError::MissingMerchantRef(Some(_)))
    ));

    let intent = |status: &str, failed: bool| -> PaymentIntent {
        serde_json::from_value(serde_json::json!({
            "id": "pi_3MtwBwLkdIwHu7ix28a3tqPa", "object": "payment_intent",
            "amount": 1250, "amount_received": 0, "currency": "eur", "status": status,
            "metadata": {"wendan_ref": "AGLAAAD2HZYABAAAAAAAAAAAII_1"},
            "last_payment_error": if failed { serde_json::json!({"code": "card_declined"}) } else { serde_json::Value::Null }
        }))
        .unwrap()
    };
    for (status, failed, outcome) in [
        ("succeeded", false, ProviderOutcome::Paid),
        ("processing", false, ProviderOutcome::Paying),
        ("requires_payment_method", false, ProviderOutcome::NotPaid),
        ("requires_payment_method", true, ProviderOutcome::Failed),
        ("canceled", false, ProviderOutcome::Closed),
    ] {
        assert_eq!(
            intent(status, failed)
                .observation(Source::Query)
                .unwrap()
                .outcome,
            outcome,
            "{status}"
        );
    }

    let refund = |status: &str| -> Refund {
        serde_json::from_value(serde_json::json!({
            "id": "re_1Nispe2eZvKYlo2Cd31jOCgZ", "object": "refund", "amount": 1250, "currency": "eur",
            "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa", "status": status,
            "metadata": {"wendan_ref": "AGLAAAD2HZYABAAAAAAAAAAAII_R1"}
        }))
        .unwrap()
    };
    assert_eq!(
        refund("pending").observation(Source::RefundAnswer).unwrap(),
        None
    );
    let done = refund("succeeded")
        .observation(Source::RefundAnswer)
        .unwrap()
        .unwrap();
    assert_eq!(done.outcome, ProviderOutcome::Refunded);
    assert_eq!(
        done.merchant_ref,
        MerchantRef::refund(order_ref().order_id(), 1).unwrap()
    );
    assert_eq!(
        refund("failed")
            .observation(Source::Notification)
            .unwrap()
            .unwrap()
            .outcome,
        ProviderOutcome::RefundFailed
    );

    let charge: Charge = serde_json::from_value(serde_json::json!({
        "id": "ch_3MtwBwLkdIwHu7ix28a3tqPa", "object": "charge", "amount": 1250, "amount_refunded": 1250,
        "currency": "eur", "refunded": true, "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "metadata": {"wendan_ref": "AGLAAAD2HZYABAAAAAAAAAAAII_1"}
    }))
    .unwrap();
    assert_eq!(
        charge
            .observation(Source::Notification)
            .unwrap()
            .unwrap()
            .outcome,
        ProviderOutcome::Refunded
    );
    let partly = Charge {
        refunded: false,
        amount_refunded: 100,
        ..charge
    };
    assert_eq!(partly.observation(Source::Notification).unwrap(), None);
}

#[test]
fn a_refund_request_has_the_captures_own_idempotency_key() {
    let request = refund_request(
        &order_ref(),
        "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        &Amount::cny(8800),
    )
    .unwrap();
    assert_eq!(
        request.idempotency_key,
        "wendan-AGLAAAD2HZYABAAAAAAAAAAAII_R1"
    );
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&request.body).unwrap();
    assert!(pairs.contains(&(
        "payment_intent".into(),
        "pi_3MtwBwLkdIwHu7ix28a3tqPa".into()
    )));
    assert!(pairs.contains(&("amount".into(), "8800".into())));
    assert!(pairs.contains(&(
        "metadata[wendan_ref]".into(),
        "AGLAAAD2HZYABAAAAAAAAAAAII_R1".into()
    )));
}

#[test]
fn a_signed_event_is_verified_then_read_and_unknown_types_move_nothing() {
    let event = serde_json::json!({
        "id": "evt_1PYCL6CzbZon1zn9VivIehz7", "object": "event", "type": "checkout.session.completed",
        "created": 1719948368,
        "data": {"object": serde_json::to_value(session("complete", "paid")).unwrap()}
    });
    let payload = serde_json::to_vec(&event).unwrap();
    let header = sign(&payload, SECRET, 1719948368);
    let parsed = Event::verified(&payload, &header, SECRET, at(1719948370)).unwrap();
    let seen = parsed.observation().unwrap().unwrap();
    assert_eq!(
        (seen.outcome, seen.merchant_ref),
        (ProviderOutcome::Paid, order_ref())
    );
    assert!(Event::verified(&payload, &header, "whsec_other", at(1719948370)).is_err());

    let other = Event {
        kind: "customer.created".into(),
        ..parsed
    };
    assert_eq!(other.observation().unwrap(), None);
    assert!(Event::from_bytes(b"{not json").is_err());
}
