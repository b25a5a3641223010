//! Known answers for the Alipay codec. Vectors from alipay/alipay-sdk-java-all
//! tests where published; otherwise signed once with OpenSSL 3.0
//! (`openssl dgst -sha256 -sign`) using the wechatpay-go published test key
//! as a stand-in for Alipay's key, and pasted here.

use std::collections::BTreeMap;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::AlipayError;
use super::notification::{self, parse_form};
use super::request::{AppIds, TradeMethod, refund, trade_call, wap_pay};
use super::response::{Call, TradeAnswer, verify as verify_answer};
use super::sign::{Content, content, verify};
use crate::rsa_sha256::test_keys::{WECHATPAY_GO_PRIVATE_KEY, WECHATPAY_GO_PUBLIC_KEY};
use crate::rsa_sha256::{SigningKey, VerifyingKey};
use crate::{Amount, MerchantRef, ProviderOutcome, Source};

/// alipay-sdk-java-all `src/test/resources/fixture/appCertPublicKey_2019091767145019.crt`,
/// its public key (`openssl x509 -pubkey -noout`), the key `RSACheckTest` checks with.
const SDK_APP_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAjuWo0SEz7Oa6h927DFEL
8d4BxhbVLX9iahEQXvURXZu3jF7FyzSneE8YTEzUhe6vscRl9zWOyr7tTaSFGg0R
Wxp0FkyxU9O1zdqK6IdY3+BSJJvi4z+GcBFBJS3UzuYRfGklHPSRYmxJSqNzHYGi
+7TRwYVshkZe/8fzpDMF8+lF32oBPfSt9KJlvcKO2J5UxOrrTCZYh13z/WtmkbL4
QRcEYaRc5CgZMGBReh9AjPCtaKABM23/42DHrS440x4lMuTVFij7UX9XaJY2CwQK
qFTrbzeJDpJyOZSGs5VW6HbRM5JoXHbFzM0LULDmo/6Ea0hOdi4YhMNXFKGjWT7T
hQIDAQAB
-----END PUBLIC KEY-----";

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn the_sdk_rsa2_check_vectors_verify() {
    let key = VerifyingKey::from_pem(SDK_APP_PUBLIC_KEY).unwrap();
    // RSACheckTest.should_pass_rsa_check_when_sign_type_is_rsa2
    let plain = params(&[
        ("method", "koubei.marketing.data.indicator.query"),
        ("app_id", "2019090366875133"),
        ("sign_type", "RSA2"),
        (
            "sign",
            "JzoDc8VxY1/w6yN9WdWV10aipS3YcRpK+jw4xfLybf90ZK9L3AHLUJbNLWVnHW3IuLoJbBeSGVxSbPBhe4ggPklcYUkPowgtlZ6YlthuQDtjF23h2obXuXkQRd+RPbDWvOA5AYQjsKH8uSHil5aRARewPIPhukl9Mn4HEovUccsBR/RirQFSGmGYiMM0zvhVSR7pXZDEhiADzvzAkvVVTI1/HbNqcoBU4ctSPAGsuDPO/mah1+IwGQAuPP6xoEPL+3zQ0wztQCwHT2o8aQmxFJ9a09q8ybRprHaNjCgTaLDeTWE0o1pllZIE8c7wnG3cOuj6quYjTcQyLm6P4M87Zw==",
        ),
    ]);
    assert_eq!(
        content(&plain, Content::Request),
        "app_id=2019090366875133&method=koubei.marketing.data.indicator.query&sign_type=RSA2"
    );
    verify(&plain, Content::Request, &key).unwrap();
    // RSACheckTest.should_pass_rsa_check_when_charset_is_utf8: a UTF-8 value.
    let chinese = params(&[
        ("method", "koubei.marketing.data.indicator.query"),
        ("app_id", "2019090366875133"),
        ("extra", "中文测试"),
        ("sign_type", "RSA2"),
        (
            "sign",
            "KrRGUY3/2JX3KtlLgus8CbK0xuUIBDCpOdJkVzJDefez6HvlA8RA6uCVj2rrMd7DgVfarG5SROdSnkZbf8MLKHbVoFqi9w0QCvto9mc8n3ezfWejZECJVCZhbJ3OslB+4gij9+F70usrnCNEJZm02ntyNdVzcqMbgdRMB93BJIRC1jjmCotpXgXWrRdTb/SfhIAkoHqgGi2aCUHuLDInLGZCn8NeziGWMnFOic6/sE/nMpwriOmwLb2nyzD0fGiolwuuxlOGMcBHAb22J8XqchFHyCpbs2A/rWdJMjhUfqsErbtZQM93fi1xfL2pUa9RMWX0Q81Qk7iSEeHCR+NGyQ==",
        ),
    ]);
    verify(&chinese, Content::Request, &key).unwrap();
    // The same signature read as a notification (without sign_type) fails:
    // the two rules really differ.
    assert!(verify(&chinese, Content::Notification, &key).is_err());
    let mut altered = chinese.clone();
    altered.insert("extra".into(), "中文测验".into());
    assert!(verify(&altered, Content::Request, &key).is_err());
}

#[test]
fn empty_values_and_sign_stay_out_of_the_signed_string() {
    let p = params(&[
        ("b", "2"),
        ("a", "1"),
        ("empty", ""),
        ("sign", "x"),
        ("sign_type", "RSA2"),
    ]);
    assert_eq!(content(&p, Content::Request), "a=1&b=2&sign_type=RSA2");
    assert_eq!(content(&p, Content::Notification), "a=1&b=2");
    let rsa1 = params(&[("a", "1"), ("sign", "x"), ("sign_type", "RSA")]);
    let key = VerifyingKey::from_pem(WECHATPAY_GO_PUBLIC_KEY).unwrap();
    assert!(matches!(
        verify(&rsa1, Content::Request, &key),
        Err(AlipayError::SignType(_))
    ));
}

fn app() -> AppIds {
    AppIds {
        app_id: "2014072300007148".into(),
        notify_url: "https://shop.example/api/v1/payments/alipay/notify".into(),
    }
}

fn merchant_key() -> SigningKey {
    SigningKey::from_pem(WECHATPAY_GO_PRIVATE_KEY).unwrap()
}

fn order_ref() -> MerchantRef {
    MerchantRef::trade(
        Uuid::from_u128(0x0196_0000_7a3e_7000_8000_0000_0000_0042),
        1,
    )
    .unwrap()
}

fn beijing(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339).unwrap()
}

/// OpenSSL over the sorted content of the WAP request below.
const OPENSSL_WAP_SIGN: &str = "KHUCPsQ4DdIU4pw1C1TOnVHlfqRc4TS9ZTVMCYrtRAyZsTJFCCFT7NrX9ZVUpukucPur8zDdg+zDPNdDYIbeEX07ZvQJiVWWb9hszOYdTSQ6o8u5/dPafs4nFB+JU6vx9hEYTXMm7BmStCi96wfIArg78nocnNlMnrQEJyOmYqpETJ4RvExPj/rTJ2ndcKt62v9hvtI9806HLgdutsLR4WY+8oztQIg0QCJGt4HKx9LogZEbguHG5yBjqIZh7gCDSJVSOCmIfccLdXCiE1SWl1S8LC5udnCL1mkcuKZKhi+l8srivPJmJdr0LHSxZSOpGOkxPlTjMqT2ubr8tF2CJQ==";

#[test]
fn the_wap_redirect_is_signed_as_openssl_signs_it() {
    let signed = wap_pay(
        &app(),
        &merchant_key(),
        &order_ref(),
        &Amount::cny(8800),
        "稳单 Wendan order",
        beijing("2026-03-02T12:15:00+08:00"),
        "https://shop.example/?paid=1",
        beijing("2026-03-02T04:00:00Z"),
    )
    .unwrap();
    assert_eq!(signed.0["timestamp"], "2026-03-02 12:00:00", "Beijing time");
    assert_eq!(
        signed.0["biz_content"],
        r#"{"out_trade_no":"AGLAAAD2HZYABAAAAAAAAAAAII_1","total_amount":"88.00","subject":"稳单 Wendan order","product_code":"QUICK_WAP_WAY","time_expire":"2026-03-02 12:15:00","quit_url":"https://shop.example/?paid=1"}"#
    );
    assert_eq!(signed.0["sign"], OPENSSL_WAP_SIGN);
    let url = signed.url(super::GATEWAY).unwrap();
    assert!(url.starts_with("https://openapi.alipay.com/gateway.do?app_id=2014072300007148&"));
    // The URL reads back to the same signed parameters.
    let query = url.split_once('?').unwrap().1;
    let back = parse_form(query.as_bytes()).unwrap();
    assert_eq!(back, signed.0);
    let merchant_public = VerifyingKey::from_pem(WECHATPAY_GO_PUBLIC_KEY).unwrap();
    verify(&back, Content::Request, &merchant_public).unwrap();
}

#[test]
fn query_close_and_refund_calls_carry_the_right_numbers() {
    let now = beijing("2026-03-02T12:05:00+08:00");
    let query = trade_call(
        &app(),
        &merchant_key(),
        TradeMethod::Query,
        &order_ref(),
        now,
    )
    .unwrap();
    assert_eq!(query.0["method"], "alipay.trade.query");
    assert_eq!(
        query.0["biz_content"],
        r#"{"out_trade_no":"AGLAAAD2HZYABAAAAAAAAAAAII_1"}"#
    );
    let close = trade_call(
        &app(),
        &merchant_key(),
        TradeMethod::Close,
        &order_ref(),
        now,
    )
    .unwrap();
    assert_eq!(close.0["method"], "alipay.trade.close");
    let refund = refund(
        &app(),
        &merchant_key(),
        &order_ref(),
        &Amount::cny(8800),
        "cancelled",
        now,
    )
    .unwrap();
    assert_eq!(
        refund.0["biz_content"],
        r#"{"out_trade_no":"AGLAAAD2HZYABAAAAAAAAAAAII_1","refund_amount":"88.00","out_request_no":"AGLAAAD2HZYABAAAAAAAAAAAII_R1","refund_reason":"cancelled"}"#
    );
}

const QUERY_MEMBER: &str = r#"{"code":"10000","msg":"Success","buyer_logon_id":"159****5620","out_trade_no":"AGLAAAD2HZYABAAAAAAAAAAAII_1","total_amount":"88.00","trade_no":"2026030222001425130501234567","trade_status":"TRADE_SUCCESS","send_pay_date":"2026-03-02 12:01:30"}"#;
/// `printf '%s' "$QUERY_MEMBER" | openssl dgst -sha256 -sign <stand-in key> | base64 -w0`.
const OPENSSL_QUERY_SIGN: &str = "OXka6O8IVbJKRhx+1PGt5VsPmZ1wXfRrTwqJ0j6K0d4tQf3hJOne1Al+HYTN19cASKgNKYylp9Uf7oWLSjIl9b2P1Zn6osWXW+LYb2Trzwo2roQdrm/8JSJYtdBFigmKjGXQGL2ccpFR2GEQeE2XyCoFMazv8NR3Hwl9dHRAP7oACgJf3lrrhgFVCR5RAAULUvV90Es5pnv9TGTm6lzXDGlv5+frK+utEQCRBeIprifffza2e1kd5HKuPIFKPy8HryRLWAu0WaL+jDiH2EGTywqM4hFTRk1yzKXvFF7+wBipX+R7Uxa/QmAnIT3tvYzdYgT0kNXQdoVrBViM2dqFsg==";

#[test]
fn a_query_answer_is_verified_over_its_exact_member_text() {
    let alipay_key = VerifyingKey::from_pem(WECHATPAY_GO_PUBLIC_KEY).unwrap();
    let body = format!(
        "{{\"alipay_trade_query_response\":{QUERY_MEMBER},\"sign\":\"{OPENSSL_QUERY_SIGN}\"}}"
    );
    let answer = verify_answer(&body, Call::Query, &alipay_key).unwrap();
    let observation = answer
        .observation(Call::Query, &order_ref(), Source::Query)
        .unwrap()
        .unwrap();
    assert_eq!(observation.outcome, ProviderOutcome::Paid);
    assert_eq!(observation.amount, Some(Amount::cny(8800)));
    assert_eq!(
        observation.transaction_id.as_deref(),
        Some("2026030222001425130501234567")
    );
    // Reformatting the member (here: a space) breaks the signature, as it must.
    let spaced = body.replace("\"code\":\"10000\"", "\"code\": \"10000\"");
    assert!(verify_answer(&spaced, Call::Query, &alipay_key).is_err());
    let unsigned = format!("{{\"alipay_trade_query_response\":{QUERY_MEMBER}}}");
    assert!(matches!(
        verify_answer(&unsigned, Call::Query, &alipay_key),
        Err(AlipayError::Missing("sign"))
    ));
    assert!(matches!(
        verify_answer(&body, Call::Close, &alipay_key),
        Err(AlipayError::NoResponse(_))
    ));
}

#[test]
fn answers_map_to_observations_including_a_trade_not_yet_opened() {
    let not_exist = TradeAnswer {
        code: "40004".into(),
        sub_code: Some("ACQ.TRADE_NOT_EXIST".into()),
        ..TradeAnswer::default()
    };
    let seen = not_exist
        .observation(Call::Query, &order_ref(), Source::Query)
        .unwrap()
        .unwrap();
    assert_eq!(seen.outcome, ProviderOutcome::NotPaid);
    assert_eq!(
        not_exist
            .observation(Call::Close, &order_ref(), Source::CloseAnswer)
            .unwrap(),
        None
    );
    let system_error = TradeAnswer {
        code: "20000".into(),
        sub_code: Some("ACQ.SYSTEM_ERROR".into()),
        ..TradeAnswer::default()
    };
    assert!(matches!(
        system_error.observation(Call::Query, &order_ref(), Source::Query),
        Err(AlipayError::Refused { .. })
    ));
    let closed = TradeAnswer {
        code: "10000".into(),
        ..TradeAnswer::default()
    };
    assert_eq!(
        closed
            .observation(Call::Close, &order_ref(), Source::CloseAnswer)
            .unwrap()
            .unwrap()
            .outcome,
        ProviderOutcome::Closed
    );
    let refunded = TradeAnswer {
        code: "10000".into(),
        fund_change: Some("Y".into()),
        refund_fee: Some("88.00".into()),
        trade_no: Some("2026030222001425130501234567".into()),
        ..TradeAnswer::default()
    };
    let seen = refunded
        .observation(Call::Refund, &order_ref(), Source::RefundAnswer)
        .unwrap()
        .unwrap();
    assert_eq!(seen.outcome, ProviderOutcome::Refunded);
    assert_eq!(
        seen.merchant_ref,
        MerchantRef::refund(order_ref().order_id(), 1).unwrap()
    );
    let no_money_moved = TradeAnswer {
        fund_change: Some("N".into()),
        ..refunded
    };
    assert_eq!(
        no_money_moved
            .observation(Call::Refund, &order_ref(), Source::RefundAnswer)
            .unwrap(),
        None
    );
}

/// A payment notification shaped like the 异步通知 doc's example; signed with
/// OpenSSL over its sorted content without `sign` and `sign_type`.
const OPENSSL_NOTIFY_SIGN: &str = "niX4b8a+J8pLBuaPrbb4DWHR1npNzSikI55/LSGOuz+NOhTPUEwwFQFLiIeR332bnoaKFP6af7+1hWROT2kuL4K86oC4XwMzyKSuaBrHRplMF7pEt31Ol+mJmrPDrJ2K9TNPz9mxTxeuxcyoqITX8z8ZeowQRDoLxh8VET7Jyk00fMR4T+ePP8/TrtFts0nb35K2xr8/jm4of2CFY/GbM6idBDIK+OtBm2IW5qZjSgJdjNUntWf8ZsJKsqV3hldgXiv0Auk1eEAVJ7UEPLdK22nZZ1VFBerUhJcG7Ymvw6nNnGgaUBuvxoj1GysF27yYz/RYRzwQhACNMfEv6jwfnw==";

fn notification_params() -> BTreeMap<String, String> {
    params(&[
        ("app_id", "2014072300007148"),
        ("auth_app_id", "2014072300007148"),
        ("buyer_id", "2088102146225135"),
        ("charset", "utf-8"),
        ("gmt_create", "2026-03-02 12:00:40"),
        ("gmt_payment", "2026-03-02 12:01:30"),
        ("notify_id", "2026030200222120130094581234567890"),
        ("notify_time", "2026-03-02 12:01:31"),
        ("notify_type", "trade_status_sync"),
        ("out_trade_no", "AGLAAAD2HZYABAAAAAAAAAAAII_1"),
        ("seller_id", "2088102119685838"),
        ("subject", "稳单 Wendan order"),
        ("total_amount", "88.00"),
        ("receipt_amount", "88.00"),
        ("buyer_pay_amount", "88.00"),
        ("trade_no", "2026030222001425130501234567"),
        ("trade_status", "TRADE_SUCCESS"),
        ("version", "1.0"),
        ("sign_type", "RSA2"),
        ("sign", OPENSSL_NOTIFY_SIGN),
    ])
}

#[test]
fn a_form_encoded_notification_verifies_and_becomes_a_paid_observation() {
    let alipay_key = VerifyingKey::from_pem(WECHATPAY_GO_PUBLIC_KEY).unwrap();
    let body = serde_urlencoded::to_string(notification_params()).unwrap();
    let verified = notification::verify(body.as_bytes(), "2014072300007148", &alipay_key).unwrap();
    let observation = verified.observation().unwrap();
    assert_eq!(observation.merchant_ref, order_ref());
    assert_eq!(observation.outcome, ProviderOutcome::Paid);
    assert_eq!(observation.amount, Some(Amount::cny(8800)));
    assert_eq!(notification::SUCCESS, "success");

    assert!(matches!(
        notification::verify(body.as_bytes(), "2021000000000000", &alipay_key),
        Err(AlipayError::AppId(_))
    ));
    let forged = body.replace("total_amount=88.00", "total_amount=0.01");
    assert!(matches!(
        notification::verify(forged.as_bytes(), "2014072300007148", &alipay_key),
        Err(AlipayError::Signature(_))
    ));
    let doubled = format!("{body}&trade_status=TRADE_CLOSED");
    assert!(matches!(
        parse_form(doubled.as_bytes()),
        Err(AlipayError::Form(_))
    ));
}

#[test]
fn every_trade_status_maps_to_an_outcome() {
    let cases = [
        ("WAIT_BUYER_PAY", None, ProviderOutcome::NotPaid),
        ("TRADE_SUCCESS", None, ProviderOutcome::Paid),
        ("TRADE_FINISHED", None, ProviderOutcome::Paid),
        ("TRADE_CLOSED", None, ProviderOutcome::Closed),
        ("TRADE_CLOSED", Some("88.00"), ProviderOutcome::Refunded),
        ("TRADE_SUCCESS", Some("88.00"), ProviderOutcome::Refunded),
        ("TRADE_CLOSED", Some("0.00"), ProviderOutcome::Closed),
    ];
    for (status, refund_fee, outcome) in cases {
        let mut p = notification_params();
        p.insert("trade_status".into(), status.into());
        if let Some(fee) = refund_fee {
            p.insert("refund_fee".into(), fee.into());
        }
        let seen = notification::Notification(p).observation().unwrap();
        assert_eq!(seen.outcome, outcome, "{status} {refund_fee:?}");
    }
    let mut unknown = notification_params();
    unknown.insert("trade_status".into(), "TRADE_PENDING".into());
    assert!(notification::Notification(unknown).observation().is_err());
}
