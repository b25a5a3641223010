//! The payment providers' notifications, as the server reads them: any body
//! from the internet reaches these parsers before anything is trusted.
//!
//! 1. Untrusted: the bytes as a WeChat Pay envelope, an Alipay form, a Stripe
//!    event, and a Stripe signature check against them.
//! 2. Past the signature: the same bytes signed with a test key (or, for
//!    WeChat, taken as the decrypted resource) and mapped to the one
//!    observation shape the payment transition takes. Whatever a provider
//!    (or a forger with a stolen key) signs must give an error, never a panic.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use time::{Duration, OffsetDateTime};
use wendan_payments::alipay::notification as alipay;
use wendan_payments::alipay::sign::{Content, content};
use wendan_payments::stripe::webhook::{self, Event};
use wendan_payments::wechat::notification::Envelope;
use wendan_payments::wechat::refund::Refund;
use wendan_payments::wechat::transaction::Transaction;
use wendan_payments::{Source, SigningKey};

/// A key made for these tests only (fuzz/keys/), standing in for Alipay's.
fn alipay_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        SigningKey::from_pem(include_str!("../keys/test-only-rsa.pem")).expect("the test key reads")
    })
}

const APP_ID: &str = "2021000000000000";
const STRIPE_SECRET: &str = "whsec_fuzz";

fuzz_target!(|data: &[u8]| {
    let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("an instant");

    // 1. Untrusted.
    if let Ok(envelope) = Envelope::from_bytes(data) {
        let _ = envelope.resource.original_type.len();
    }
    let form = alipay::parse_form(data);
    let _ = alipay::verify(data, APP_ID, &alipay_key().verifying_key());
    let _ = Event::from_bytes(data);
    if let Ok(header) = std::str::from_utf8(data) {
        let _ = webhook::verify(data, header, STRIPE_SECRET, now, Duration::minutes(5));
    }

    // 2. Signed: what the mapping does with whatever a signer says.
    if let Ok(transaction) = serde_json::from_slice::<Transaction>(data) {
        let _ = transaction.observation(Source::Notification);
    }
    if let Ok(refund) = serde_json::from_slice::<Refund>(data) {
        let _ = refund.observation(Source::Notification);
    }
    if let Ok(mut params) = form {
        params.insert("app_id".into(), APP_ID.into());
        params.remove("sign");
        if let Ok(signature) = alipay_key().sign_base64(content(&params, Content::Notification).as_bytes()) {
            params.insert("sign".into(), signature);
            let body = serde_urlencoded::to_string(&params).unwrap_or_default();
            match alipay::verify(body.as_bytes(), APP_ID, &alipay_key().verifying_key()) {
                Ok(notification) => {
                    let _ = notification.observation();
                }
                // Only a form that does not survive encoding fails here.
                Err(_) => check_roundtrip(&params, &body),
            }
        }
    }
    let header = webhook::sign(data, STRIPE_SECRET, now.unix_timestamp());
    if let Ok(event) = Event::verified(data, &header, STRIPE_SECRET, now) {
        let _ = event.observation();
    } else {
        // A correctly signed payload must verify; only parsing may fail.
        assert!(webhook::verify(data, &header, STRIPE_SECRET, now, Duration::minutes(5)).is_ok());
    }
});

/// A signed form that did not verify must be one whose parameters changed
/// on the way through `application/x-www-form-urlencoded`.
fn check_roundtrip(params: &BTreeMap<String, String>, body: &str) {
    let read = alipay::parse_form(body.as_bytes()).unwrap_or_default();
    assert_ne!(&read, params, "a signed form that reads back unchanged must verify");
}
