//! Known answers for the WeChat Pay codec. Each vector says where it comes
//! from: the official Go SDK's own tests (wechatpay-apiv3/wechatpay-go), or,
//! where no one publishes one, a value computed once with an independent
//! tool (OpenSSL 3.0 `openssl dgst -sha256 -sign`, Python `cryptography`
//! 48 `AESGCM`) and pasted here.

use time::OffsetDateTime;
use uuid::Uuid;

use super::auth::{Authorization, MerchantSigner, PlatformKeys, WechatpayHeaders};
use super::jsapi::{BridgePayment, bridge_payment};
use super::notification::{
    ApiV3Key, EncryptedResource, Envelope, Notification, verify_and_decrypt,
};
use super::refund::{Refund, RefundRequest};
use super::transaction::{Channel, PrepayRequest, Transaction, close_url, query_url};
use super::{MerchantIds, WechatError};
use crate::rsa_sha256::test_keys::{WECHATPAY_GO_PRIVATE_KEY, WECHATPAY_GO_PUBLIC_KEY};
use crate::rsa_sha256::{SigningKey, VerifyingKey};
use crate::{Amount, MerchantRef, ProviderOutcome, Source};

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

fn signer() -> MerchantSigner {
    MerchantSigner::new(
        "1230000109",
        "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        SigningKey::from_pem(WECHATPAY_GO_PRIVATE_KEY).unwrap(),
    )
}

fn sdk_public_key() -> VerifyingKey {
    VerifyingKey::from_pem(WECHATPAY_GO_PUBLIC_KEY).unwrap()
}

/// Order `01960000-7a3e-7000-8000-000000000042`, attempt 1.
fn order_ref() -> MerchantRef {
    MerchantRef::trade(
        Uuid::from_u128(0x0196_0000_7a3e_7000_8000_0000_0000_0042),
        1,
    )
    .unwrap()
}

const NONCE: &str = "593BEC0C930BF1AFEB40B4A08C8FB242";
const BODY: &str = r#"{"appid":"wxd678efh567hg6787","mchid":"1230000109"}"#;

/// `printf 'POST\n/v3/pay/transactions/jsapi\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{body}\n'
/// | openssl dgst -sha256 -sign <wechatpay-go test key> | base64 -w0`.
const OPENSSL_REQUEST_SIGNATURE: &str = "qHq8kfl8+JC5nO5k7PRPTj2hI99aItjA79YO3XuSAtpfYecElBREBNTuflBHP4VsB/h0M8j9FYF/e7KSwbDqiszAV7+9RZgGmnpotSGx2/nXfoS7ksoJ4S+7xgKTaeUoakKkOK8BDK0cLVikCXuKcvjJnEkxbT1ATWv06whl8Yejxft0+/QDDzZev5lXAZnB3Btvm1aX4DL5kC7XI3/FGoG7g9rdY6rAQsocpdPPO64ZsWiBhiULbm1EFD5adWr8eRXQaXx8bapaIs+C8l800iUb5btsKkAAMgHSrjLxSJ27aW6Zx7p68MwRzE9r6XFiEjeseBnoDcvCJRD7+Stgow==";

#[test]
fn the_authorization_header_matches_an_openssl_signature_and_reads_back() {
    let header = signer()
        .authorization(
            "POST",
            "/v3/pay/transactions/jsapi",
            BODY,
            1554208460,
            NONCE,
        )
        .unwrap();
    assert_eq!(
        header,
        format!(
            "WECHATPAY2-SHA256-RSA2048 mchid=\"1230000109\",nonce_str=\"{NONCE}\",timestamp=\"1554208460\",serial_no=\"1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C\",signature=\"{OPENSSL_REQUEST_SIGNATURE}\""
        )
    );
    let parsed = Authorization::parse(&header).unwrap();
    parsed
        .verify(
            "POST",
            "/v3/pay/transactions/jsapi",
            BODY,
            &sdk_public_key(),
            at(1554208460 + 60),
        )
        .unwrap();
    // Another body, another path, or a stale timestamp is refused.
    assert!(
        parsed
            .verify(
                "POST",
                "/v3/pay/transactions/jsapi",
                "{}",
                &sdk_public_key(),
                at(1554208460)
            )
            .is_err()
    );
    assert!(
        parsed
            .verify(
                "POST",
                "/v3/pay/transactions/h5",
                BODY,
                &sdk_public_key(),
                at(1554208460)
            )
            .is_err()
    );
    assert!(matches!(
        parsed.verify(
            "POST",
            "/v3/pay/transactions/jsapi",
            BODY,
            &sdk_public_key(),
            at(1554208460 + 300)
        ),
        Err(WechatError::Expired { .. })
    ));
}

#[test]
fn malformed_authorization_headers_are_refused() {
    for header in [
        "",
        "Bearer x",
        "WECHATPAY2-SHA256-RSA2048 mchid=\"1\"",
        "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"x\",serial_no=\"s\",signature=\"g\"",
        "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",mchid=\"2\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"s\",signature=\"g\"",
        "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"s\",signature=\"g\",extra=\"e\"",
    ] {
        assert!(Authorization::parse(header).is_err(), "{header:?}");
    }
}

/// wechatpay-go `core/notify/notify_test.go` `TestHandler_ParseNotifyRequest`:
/// a notification the SDK test accepts at `time.Unix(1624523846, 0)` with its
/// test platform certificate (whose public key is `WECHATPAY_GO_PUBLIC_KEY`).
const SDK_NOTIFICATION_BODY: &str = concat!(
    "{\"id\":\"3119dfba-e649-5eec-ab1e-3412bc4d2e17\",",
    "\"create_time\":\"2021-06-24T16:37:26+08:00\",",
    "\"resource_type\":\"encrypt-resource\",",
    "\"event_type\":\"PAYSCORE.USER_OPEN_SERVICE\",",
    "\"summary\":\"签约成功\",",
    "\"resource\":{",
    "\"original_type\":\"payscore\",",
    "\"algorithm\":\"AEAD_AES_256_GCM\",",
    "\"ciphertext\":\"YDS3lKPaC4Y52Gf3uhft5qUBlIa8b428AWTtTauHQfQrRw+X1WpiuHIDy0vo1Vd6VEq67aVyqPdDYMkRVSDaZL3iZt",
    "tevRMOoPKMifozg6XPWjIZumks/GpT48lI4NizyeaqLBokNebthah3o1H76qSlO9NkDjp9bzmKLEYYH9TEklFUpsvPqOTOcgSLgh21YJXYR",
    "7dEBXFgRLiNIKRgO5JdXh1hccRUAlyVWxE54PXpnQ==\",",
    "\"associated_data\":\"payscore\",",
    "\"nonce\":\"Kj7QIyUiYx1q\"}",
    "}"
);

fn sdk_notification_headers() -> WechatpayHeaders {
    WechatpayHeaders {
        signature: concat!(
            "tJHIiIS9eB2hAYstmAmbbD3ZE5LiIm/Ug5tuL4fC0YOFRWIHV39UFIZXC0e9Wl6lBu6sKvkqDkzpqzBsVHyXF",
            "lbYZTOQrVdG4b6LfTnK4mikv9++ixJMd3vTf2yCqvBkh98zs3Ds5zsYQakzbcwhmw4fMJs4nPLws28H0UW9FjDR//rxELLwXvV1VEA1I",
            "BLX70xptjL8hrfUjEE8kkry6yNJTHZRU8CAc7qHli2Ng1V1qb9ARbK8A3ThmFmPQvRGrapI/jS2laKKgYUmfdEdkNO6B2Cke5e8VTxY4",
            "06ArAmQ90GAihDwIcb16TQMnzCMBoutnwZKNiKRACrFmtxw2Q=="
        )
        .into(),
        timestamp: "1624523846".into(),
        nonce: "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz".into(),
        serial: "D7CE59D1F522D701".into(),
    }
}

#[test]
fn the_sdk_notification_signature_verifies_within_the_tolerance_only() {
    let platform = PlatformKeys::new().with("D7CE59D1F522D701", sdk_public_key());
    let headers = sdk_notification_headers();
    headers
        .verify(SDK_NOTIFICATION_BODY.as_bytes(), &platform, at(1624523846))
        .unwrap();
    // One byte changed in the body.
    let forged = SDK_NOTIFICATION_BODY.replace("签约成功", "签约失败");
    assert!(matches!(
        headers.verify(forged.as_bytes(), &platform, at(1624523846)),
        Err(WechatError::Signature(_))
    ));
    // Replayed six minutes later.
    assert!(matches!(
        headers.verify(
            SDK_NOTIFICATION_BODY.as_bytes(),
            &platform,
            at(1624523846 + 360)
        ),
        Err(WechatError::Expired { .. })
    ));
    // Signed by a key we do not know.
    let other = PlatformKeys::new().with("OTHER", sdk_public_key());
    assert!(matches!(
        headers.verify(SDK_NOTIFICATION_BODY.as_bytes(), &other, at(1624523846)),
        Err(WechatError::UnknownSerial(_))
    ));
    let envelope = Envelope::from_bytes(SDK_NOTIFICATION_BODY.as_bytes()).unwrap();
    assert_eq!(envelope.resource.nonce, "Kj7QIyUiYx1q");
    // The SDK's test APIv3 key is 16 bytes (AES-128): a real APIv3 key is 32,
    // so that key is refused rather than silently used as AES-128.
    assert!(matches!(
        ApiV3Key::new("testMchAPIv3Key0"),
        Err(WechatError::ApiV3Key)
    ));
}

const API_V3_KEY: &str = "WendanTestAPIv3Key32bytesLong!!!";

/// Python `cryptography` 48:
/// `AESGCM(b"WendanTestAPIv3Key32bytesLong!!!").encrypt(b"fPqH2bN7cA1z", PLAINTEXT, b"transaction")`.
const PYTHON_CIPHERTEXT: &str = "l/H/Xyss5rnBTkDOWztA9/50+6PlLpg31u0PRjCcti9XI/MAbr1lmEN5iikWYxNHIXxOF9AzUOOrubhSxn6TGcto20LCC/3t+IJ7r9n3mOTQsCYIsYrC0T0vVaw48rFxVhVPyiNXIahCaUsZuRWthI2jjpF09NhbtSTDju68G65HErXpCmV5+ywtVjDNN3icIgGHp1Bmad1qA79WWLETQCZp0BvpsZNWK3jI6pQctvExKgTauTPcMdhwnonDyYS7554Apak1D0+UakC6D4mA1w6OGCcpBicCc+ZiA7o6di6U4IkaxTNApic3XsIutril8KO78NaepCNNcTpikc2F4UR4Y86gU3GlOtViybi1qExdqQa/tcEFAHv8GSXPJ3k6xmUmtbreCE4aCZaZljPYxRKDLVKZ1ffR+AFVFeKIzDSaCckphZCU9ECUR0cyx2LJIL3hG46PMdrvM1vo18GUyneEtyCn9SKm3B3Dx4Ng";

/// A payment notification's resource, shaped as in the APIv3 支付成功通知 doc.
const PLAINTEXT: &str = r#"{"mchid":"1230000109","appid":"wxd678efh567hg6787","out_trade_no":"AGLAAAD2HZYABAAAAAAAAAAAII_1","transaction_id":"4200000123202603021234567890","trade_type":"JSAPI","trade_state":"SUCCESS","trade_state_desc":"支付成功","success_time":"2026-03-02T12:01:30+08:00","amount":{"total":8800,"payer_total":8800,"currency":"CNY","payer_currency":"CNY"}}"#;

fn python_resource() -> EncryptedResource {
    EncryptedResource {
        algorithm: "AEAD_AES_256_GCM".into(),
        ciphertext: PYTHON_CIPHERTEXT.into(),
        associated_data: "transaction".into(),
        nonce: "fPqH2bN7cA1z".into(),
        original_type: "transaction".into(),
    }
}

#[test]
fn the_resource_decrypts_to_pythons_plaintext_and_encrypts_back_to_its_ciphertext() {
    let key = ApiV3Key::new(API_V3_KEY).unwrap();
    assert_eq!(
        python_resource().decrypt(&key).unwrap(),
        PLAINTEXT.as_bytes()
    );
    let again = EncryptedResource::encrypt(
        &key,
        "fPqH2bN7cA1z",
        "transaction",
        "transaction",
        PLAINTEXT.as_bytes(),
    )
    .unwrap();
    assert_eq!(again, python_resource());
}

#[test]
fn a_tampered_resource_or_the_wrong_key_does_not_decrypt() {
    let key = ApiV3Key::new(API_V3_KEY).unwrap();
    let wrong_key = ApiV3Key::new("WendanTestAPIv3Key32bytesLong!!?").unwrap();
    assert!(matches!(
        python_resource().decrypt(&wrong_key),
        Err(WechatError::Decrypt)
    ));
    let mut other_aad = python_resource();
    other_aad.associated_data = "refund".into();
    assert!(matches!(other_aad.decrypt(&key), Err(WechatError::Decrypt)));
    let mut flipped = python_resource();
    flipped.ciphertext = flipped.ciphertext.replacen('l', "m", 1);
    assert!(matches!(flipped.decrypt(&key), Err(WechatError::Decrypt)));
    let mut other_algorithm = python_resource();
    other_algorithm.algorithm = "AEAD_SM4_GCM".into();
    assert!(matches!(
        other_algorithm.decrypt(&key),
        Err(WechatError::Algorithm(_))
    ));
    let mut short_nonce = python_resource();
    short_nonce.nonce = "short".into();
    assert!(matches!(
        short_nonce.decrypt(&key),
        Err(WechatError::Encoding(_))
    ));
}

#[test]
fn a_signed_encrypted_payment_notification_becomes_a_paid_observation() {
    let envelope = Envelope {
        id: "EV-2018022511223320873".into(),
        create_time: "2026-03-02T12:01:31+08:00".into(),
        event_type: "TRANSACTION.SUCCESS".into(),
        resource_type: "encrypt-resource".into(),
        summary: "支付成功".into(),
        resource: python_resource(),
    };
    let body = serde_json::to_vec(&envelope).unwrap();
    let platform_key = SigningKey::from_pem(WECHATPAY_GO_PRIVATE_KEY).unwrap();
    let headers =
        WechatpayHeaders::sign(&platform_key, "PUB_KEY_ID_01", 1772424091, "n0nce", &body).unwrap();
    let platform = PlatformKeys::new().with("PUB_KEY_ID_01", sdk_public_key());
    let key = ApiV3Key::new(API_V3_KEY).unwrap();

    let Notification::Transaction { id, transaction } =
        verify_and_decrypt(&headers, &body, &platform, &key, at(1772424091)).unwrap()
    else {
        panic!("a payment notification");
    };
    assert_eq!(id, "EV-2018022511223320873");
    let observation = transaction.observation(Source::Notification).unwrap();
    assert_eq!(observation.merchant_ref, order_ref());
    assert_eq!(observation.outcome, ProviderOutcome::Paid);
    assert_eq!(observation.amount, Some(Amount::cny(8800)));
    assert_eq!(
        observation.transaction_id.as_deref(),
        Some("4200000123202603021234567890")
    );

    // The same body under another key's signature is refused before decryption.
    let mut forged_body = body.clone();
    forged_body.extend_from_slice(b" ");
    assert!(verify_and_decrypt(&headers, &forged_body, &platform, &key, at(1772424091)).is_err());
}

#[test]
fn every_trade_state_maps_to_an_outcome() {
    let base: Transaction = serde_json::from_str(PLAINTEXT).unwrap();
    for (state, outcome) in [
        ("SUCCESS", ProviderOutcome::Paid),
        ("REFUND", ProviderOutcome::Refunded),
        ("NOTPAY", ProviderOutcome::NotPaid),
        ("CLOSED", ProviderOutcome::Closed),
        ("REVOKED", ProviderOutcome::Closed),
        ("USERPAYING", ProviderOutcome::Paying),
        ("PAYERROR", ProviderOutcome::Failed),
    ] {
        let transaction = Transaction {
            trade_state: state.into(),
            ..base.clone()
        };
        assert_eq!(
            transaction.observation(Source::Query).unwrap().outcome,
            outcome,
            "{state}"
        );
    }
    let unknown = Transaction {
        trade_state: "ACCEPT".into(),
        ..base.clone()
    };
    assert!(matches!(
        unknown.observation(Source::Query),
        Err(WechatError::TradeState(_))
    ));
    let incomplete = Transaction {
        transaction_id: None,
        ..base
    };
    assert!(matches!(
        incomplete.observation(Source::Query),
        Err(WechatError::Incomplete)
    ));
}

#[test]
fn prepay_query_close_and_refund_bodies_are_the_documented_ones() {
    let merchant = MerchantIds {
        appid: "wxd678efh567hg6787".into(),
        mchid: "1230000109".into(),
        notify_url: "https://shop.example/api/v1/payments/wechat/notify".into(),
    };
    let expires = OffsetDateTime::parse(
        "2026-03-02T12:15:00+08:00",
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let jsapi = PrepayRequest::new(
        &merchant,
        &order_ref(),
        &Amount::cny(8800),
        "稳单 Wendan order",
        expires,
        Channel::Jsapi {
            openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
        },
    )
    .unwrap();
    assert_eq!(jsapi.path(), "/v3/pay/transactions/jsapi");
    assert_eq!(
        serde_json::to_value(&jsapi).unwrap(),
        serde_json::json!({
            "appid": "wxd678efh567hg6787",
            "mchid": "1230000109",
            "description": "稳单 Wendan order",
            "out_trade_no": "AGLAAAD2HZYABAAAAAAAAAAAII_1",
            "time_expire": "2026-03-02T12:15:00+08:00",
            "notify_url": "https://shop.example/api/v1/payments/wechat/notify",
            "amount": {"total": 8800, "currency": "CNY"},
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
        })
    );
    let h5 = PrepayRequest::new(
        &merchant,
        &order_ref(),
        &Amount::cny(8800),
        "稳单 Wendan order",
        expires,
        Channel::H5 {
            payer_client_ip: "203.0.113.7".into(),
        },
    )
    .unwrap();
    assert_eq!(h5.path(), "/v3/pay/transactions/h5");
    assert_eq!(
        serde_json::to_value(&h5).unwrap()["scene_info"],
        serde_json::json!({"payer_client_ip": "203.0.113.7", "h5_info": {"type": "Wap"}})
    );
    assert_eq!(
        query_url("AGLAAAD2HZYABAAAAAAAAAAAII_1", "1230000109"),
        "/v3/pay/transactions/out-trade-no/AGLAAAD2HZYABAAAAAAAAAAAII_1?mchid=1230000109"
    );
    assert_eq!(
        close_url("AGLAAAD2HZYABAAAAAAAAAAAII_1"),
        "/v3/pay/transactions/out-trade-no/AGLAAAD2HZYABAAAAAAAAAAAII_1/close"
    );
    let refund =
        RefundRequest::full(&order_ref(), &Amount::cny(8800), "kitchen cancelled", None).unwrap();
    assert_eq!(
        serde_json::to_value(&refund).unwrap(),
        serde_json::json!({
            "out_trade_no": "AGLAAAD2HZYABAAAAAAAAAAAII_1",
            "out_refund_no": "AGLAAAD2HZYABAAAAAAAAAAAII_R1",
            "reason": "kitchen cancelled",
            "amount": {"refund": 8800, "total": 8800, "currency": "CNY"}
        })
    );
}

#[test]
fn refund_answers_and_notifications_map_to_observations() {
    let answer: Refund = serde_json::from_value(serde_json::json!({
        "refund_id": "50000000382019052709732678859",
        "out_refund_no": "AGLAAAD2HZYABAAAAAAAAAAAII_R1",
        "transaction_id": "4200000123202603021234567890",
        "out_trade_no": "AGLAAAD2HZYABAAAAAAAAAAAII_1",
        "status": "PROCESSING",
        "amount": {"total": 8800, "refund": 8800, "currency": "CNY"}
    }))
    .unwrap();
    assert_eq!(answer.observation(Source::RefundAnswer).unwrap(), None);
    let done = Refund {
        status: None,
        refund_status: Some("SUCCESS".into()),
        ..answer.clone()
    };
    let observation = done.observation(Source::Notification).unwrap().unwrap();
    assert_eq!(observation.outcome, ProviderOutcome::Refunded);
    assert_eq!(
        observation.merchant_ref,
        MerchantRef::refund(order_ref().order_id(), 1).unwrap()
    );
    for failed in ["CLOSED", "ABNORMAL"] {
        let refund = Refund {
            status: Some(failed.into()),
            ..answer.clone()
        };
        assert_eq!(
            refund.observation(Source::Query).unwrap().unwrap().outcome,
            ProviderOutcome::RefundFailed
        );
    }
}

/// `printf 'wxd678efh567hg6787\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\nprepay_id=wx201410272009395522657a690389285100\n'
/// | openssl dgst -sha256 -sign <wechatpay-go test key> | base64 -w0` (values from the JSAPI 调起支付 doc example).
const OPENSSL_PAY_SIGN: &str = "JpsKK86dYZynywTOc4lrJVmnWkOiwTUmjSVlEKEBDl1XUE3BnMreIDFkqL8AyBrO6/OK3wrh1Xx6Gu15htvQfUX/GnjURzxozRJ3B11U7uL16gvJA7Z/R3ioHQmntAkyXwcidGARrf/osgOer1BPimgaFuhQ5kCsb/8AqHO7+O+sD+xRgbVJAm52XyKy5wj0tqSwA/VMd8UWGprO508fYMG7bvxGxoc5prs4XB46DiLVJpaXaXO52Oj/YkaHj+gkXbA5fzCwYNDG4y4d9zU+XLCe4AD56O6nAByvC4mqNxpXDMNtteXaDGgqCRNPAlfFs0TDq5OOlRIBbM14TQIx6A==";

#[test]
fn the_jsapi_pay_sign_matches_openssl_and_the_bridge_field_names() {
    let payment = bridge_payment(
        &signer(),
        "wxd678efh567hg6787",
        "wx201410272009395522657a690389285100",
        1554208460,
        NONCE,
    )
    .unwrap();
    assert_eq!(payment.pay_sign, OPENSSL_PAY_SIGN);
    assert_eq!(
        serde_json::to_value(&payment).unwrap(),
        serde_json::json!({
            "appId": "wxd678efh567hg6787",
            "timeStamp": "1554208460",
            "nonceStr": NONCE,
            "package": "prepay_id=wx201410272009395522657a690389285100",
            "signType": "RSA",
            "paySign": OPENSSL_PAY_SIGN
        })
    );
    payment.verify(&sdk_public_key()).unwrap();
    assert_eq!(
        payment.prepay_id(),
        Some("wx201410272009395522657a690389285100")
    );
    let tampered = BridgePayment {
        package: "prepay_id=other".into(),
        ..payment
    };
    assert!(tampered.verify(&sdk_public_key()).is_err());
}
