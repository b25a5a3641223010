//! WeChat Pay API v3 as the sandbox plays it: the merchant's
//! `Authorization` is checked with its registered key, every answer is signed
//! with the platform key, "same `out_trade_no` and same parameters" gives
//! the same `prepay_id`, and notifications carry the resource encrypted under
//! the APIv3 key.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use wendan_payments::wechat::auth::{Authorization, WechatpayHeaders};
use wendan_payments::wechat::notification::{ApiV3Key, EncryptedResource, Envelope};
use wendan_payments::wechat::refund::{Refund as WxRefund, RefundAmount, RefundRequest};
use wendan_payments::wechat::transaction::{
    H5Prepay, JsapiPrepay, PrepayRequest, Transaction, TransactionAmount,
};

use crate::ledger::{Payment, Provider, Status};
use crate::notifier::{Ack, Delivery, WECHAT_SCHEDULE};
use crate::wallet::{Tap, Tapped};
use crate::{Sandbox, now};

pub fn routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/v3/pay/transactions/jsapi", post(prepay))
        .route("/v3/pay/transactions/h5", post(prepay))
        .route(
            "/v3/pay/transactions/out-trade-no/{out_trade_no}",
            get(query),
        )
        .route(
            "/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
            post(close),
        )
        .route("/v3/refund/domestic/refunds", post(refund))
        .route(
            "/v3/refund/domestic/refunds/{out_refund_no}",
            get(query_refund),
        )
}

/// An answer signed with the platform key, as every real answer is.
fn signed(sandbox: &Sandbox, status: StatusCode, body: String) -> Response {
    let nonce = sandbox.nonce(32);
    let headers = WechatpayHeaders::sign(
        &sandbox.keys.wechat_platform,
        &sandbox.keys.wechat_platform_serial,
        now().unix_timestamp(),
        &nonce,
        body.as_bytes(),
    );
    let Ok(headers) = headers else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response = (status, [("Content-Type", "application/json")], body).into_response();
    for (name, value) in [
        (WechatpayHeaders::SIGNATURE, headers.signature),
        (WechatpayHeaders::TIMESTAMP, headers.timestamp),
        (WechatpayHeaders::NONCE, headers.nonce),
        (WechatpayHeaders::SERIAL, headers.serial),
    ] {
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

fn error(sandbox: &Sandbox, status: StatusCode, code: &str, message: &str) -> Response {
    signed(
        sandbox,
        status,
        serde_json::json!({"code": code, "message": message}).to_string(),
    )
}

/// Why the merchant's signature was not accepted (answered `401 SIGN_ERROR`).
struct SignError(String);

/// Checks the merchant's signature over this very request.
fn check_merchant(
    sandbox: &Sandbox,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), SignError> {
    let refuse = SignError;
    let header = headers
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| refuse("no Authorization".into()))?;
    let authorization = Authorization::parse(header).map_err(|e| refuse(e.to_string()))?;
    if authorization.mchid != sandbox.config.wechat_mchid
        || authorization.serial_no != sandbox.keys.wechat_merchant_serial
    {
        return Err(refuse("unknown merchant or certificate serial".into()));
    }
    let url = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
    let body = std::str::from_utf8(body).map_err(|_| refuse("body is not UTF-8".into()))?;
    authorization
        .verify(
            method.as_str(),
            url,
            body,
            &sandbox.keys.wechat_merchant_public(),
            now(),
        )
        .map_err(|e| refuse(e.to_string()))
}

/// A merchant's signed JSON body, or the signed refusal to answer.
#[allow(clippy::result_large_err)] // the refusal is the handler's own answer
fn signed_body<T: serde::de::DeserializeOwned>(
    sandbox: &Sandbox,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, Response> {
    if let Err(SignError(why)) = check_merchant(sandbox, method, uri, headers, body) {
        return Err(error(sandbox, StatusCode::UNAUTHORIZED, "SIGN_ERROR", &why));
    }
    serde_json::from_slice(body).map_err(|e| {
        error(
            sandbox,
            StatusCode::BAD_REQUEST,
            "PARAM_ERROR",
            &e.to_string(),
        )
    })
}

fn trade_state(status: Status) -> &'static str {
    match status {
        Status::Open => "NOTPAY",
        Status::Paid => "SUCCESS",
        Status::Failed => "PAYERROR",
        Status::Closed => "CLOSED",
        Status::Refunded => "REFUND",
    }
}

/// The payment as the query answers it (and the notification carries it),
/// with `amount_delta` added for the wrong-amount fault.
fn transaction(sandbox: &Sandbox, payment: &Payment, amount_delta: i64) -> Transaction {
    let total = payment.amount + amount_delta;
    Transaction {
        appid: Some(sandbox.config.wechat_appid.clone()),
        mchid: sandbox.config.wechat_mchid.clone(),
        out_trade_no: payment.merchant_ref.clone(),
        transaction_id: payment.transaction_id.clone(),
        trade_type: payment.extra["trade_type"].as_str().map(str::to_owned),
        trade_state: trade_state(payment.status).to_owned(),
        trade_state_desc: None,
        success_time: payment
            .captures
            .first()
            .and_then(|c| OffsetDateTime::from_unix_timestamp(c.at).ok())
            .and_then(|at| at.format(&Rfc3339).ok()),
        amount: Some(TransactionAmount {
            total: Some(total),
            payer_total: Some(total),
            currency: Some(payment.currency.clone()),
            payer_currency: Some(payment.currency.clone()),
        }),
        payer: None,
    }
}

async fn prepay(
    State(sandbox): State<Arc<Sandbox>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: PrepayRequest = match signed_body(&sandbox, &method, &uri, &headers, &body) {
        Ok(request) => request,
        Err(refused) => return refused,
    };
    if request.mchid != sandbox.config.wechat_mchid || request.path() != uri.path() {
        return error(
            &sandbox,
            StatusCode::BAD_REQUEST,
            "PARAM_ERROR",
            "mchid or scene does not match",
        );
    }
    let fingerprint = serde_json::to_value(&request).unwrap_or_default();
    let fresh_handle = format!("wx{}", 20_000_000 + sandbox.next_id());
    let expires_at = request
        .time_expire
        .as_deref()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .map(OffsetDateTime::unix_timestamp);
    let outcome = sandbox.with_ledger(|ledger| {
        if let Some(existing) = ledger.by_ref(Provider::Wechat, &request.out_trade_no) {
            existing.expire_if_due(now().unix_timestamp());
            return match existing.status {
                _ if existing.fingerprint != fingerprint => Err((
                    "INVALID_REQUEST",
                    "out_trade_no reused with other parameters",
                )),
                Status::Paid | Status::Refunded => Err(("ORDERPAID", "the order is already paid")),
                Status::Closed => Err(("ORDER_CLOSED", "the order is closed")),
                Status::Open | Status::Failed => Ok(existing.handle.clone()),
            };
        }
        ledger.payments.push(Payment {
            provider: Provider::Wechat,
            merchant_ref: request.out_trade_no.clone(),
            handle: fresh_handle.clone(),
            amount: request.amount.total,
            currency: request.amount.currency.clone(),
            description: request.description.clone(),
            status: Status::Open,
            transaction_id: None,
            created_at: now().unix_timestamp(),
            expires_at,
            notify_url: Some(request.notify_url.clone()),
            return_url: None,
            cancel_url: None,
            fingerprint,
            extra: match &request.payer {
                Some(payer) => serde_json::json!({"trade_type": "JSAPI", "openid": payer.openid}),
                None => serde_json::json!({"trade_type": "MWEB"}),
            },
            captures: vec![],
            refunds: vec![],
            notifications: vec![],
            repeat_taps: 0,
        });
        Ok(fresh_handle)
    });
    let prepay_id = match outcome {
        Ok(prepay_id) => prepay_id,
        Err((code, message)) => return error(&sandbox, StatusCode::BAD_REQUEST, code, message),
    };
    let answer = if request.payer.is_some() {
        serde_json::to_string(&JsapiPrepay { prepay_id })
    } else {
        serde_json::to_string(&H5Prepay {
            h5_url: format!(
                "{}/sandbox/wallet/wechat/{prepay_id}?prepay_id={prepay_id}",
                sandbox.public_url
            ),
        })
    };
    signed(&sandbox, StatusCode::OK, answer.unwrap_or_default())
}

fn find(sandbox: &Sandbox, out_trade_no: &str) -> Option<Payment> {
    sandbox.with_ledger(|ledger| {
        let payment = ledger.by_ref(Provider::Wechat, out_trade_no)?;
        payment.expire_if_due(now().unix_timestamp());
        Some(payment.clone())
    })
}

async fn query(
    State(sandbox): State<Arc<Sandbox>>,
    Path(out_trade_no): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(SignError(why)) = check_merchant(&sandbox, &method, &uri, &headers, b"") {
        return error(&sandbox, StatusCode::UNAUTHORIZED, "SIGN_ERROR", &why);
    }
    if let Some(fault) = sandbox.query_fault(&out_trade_no).await {
        return fault;
    }
    match find(&sandbox, &out_trade_no) {
        Some(payment) => signed(
            &sandbox,
            StatusCode::OK,
            serde_json::to_string(&transaction(&sandbox, &payment, 0)).unwrap_or_default(),
        ),
        None => error(
            &sandbox,
            StatusCode::NOT_FOUND,
            "ORDER_NOT_EXIST",
            "no such order",
        ),
    }
}

async fn close(
    State(sandbox): State<Arc<Sandbox>>,
    Path(out_trade_no): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(SignError(why)) = check_merchant(&sandbox, &method, &uri, &headers, &body) {
        return error(&sandbox, StatusCode::UNAUTHORIZED, "SIGN_ERROR", &why);
    }
    let closed = sandbox.with_ledger(|ledger| {
        let payment = ledger.by_ref(Provider::Wechat, &out_trade_no)?;
        Some(match payment.status {
            Status::Paid | Status::Refunded => false,
            _ => {
                payment.status = Status::Closed;
                true
            }
        })
    });
    match closed {
        Some(true) => signed(&sandbox, StatusCode::NO_CONTENT, String::new()),
        Some(false) => error(
            &sandbox,
            StatusCode::BAD_REQUEST,
            "ORDERPAID",
            "the order is already paid",
        ),
        None => error(
            &sandbox,
            StatusCode::NOT_FOUND,
            "ORDER_NOT_EXIST",
            "no such order",
        ),
    }
}

fn refund_answer(payment: &Payment, refund_no: &str) -> Option<WxRefund> {
    let refund = payment.refund_numbered(refund_no)?;
    Some(WxRefund {
        refund_id: Some(refund.refund_id.clone()),
        out_refund_no: refund.refund_no.clone(),
        out_trade_no: Some(payment.merchant_ref.clone()),
        transaction_id: payment.transaction_id.clone(),
        status: Some("SUCCESS".into()),
        refund_status: None,
        amount: RefundAmount {
            total: payment.amount,
            refund: refund.amount,
            currency: Some(payment.currency.clone()),
        },
    })
}

async fn refund(
    State(sandbox): State<Arc<Sandbox>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: RefundRequest = match signed_body(&sandbox, &method, &uri, &headers, &body) {
        Ok(request) => request,
        Err(refused) => return refused,
    };
    let refund_id = format!("5030000{}", sandbox.next_id());
    let outcome = sandbox.with_ledger(|ledger| {
        let payment = ledger
            .by_ref(Provider::Wechat, &request.out_trade_no)
            .ok_or(("RESOURCE_NOT_EXISTS", "no such order"))?;
        if let Some(answer) = refund_answer(payment, &request.out_refund_no) {
            return Ok((answer, None));
        }
        if request.amount.refund != payment.amount || request.amount.total != payment.amount {
            return Err(("INVALID_REQUEST", "the sandbox refunds whole payments only"));
        }
        payment
            .refund(&request.out_refund_no, refund_id, now().unix_timestamp())
            .ok_or(("INVALID_REQUEST", "the order is not paid"))?;
        let answer =
            refund_answer(payment, &request.out_refund_no).ok_or(("SYSTEM_ERROR", "lost"))?;
        Ok((answer, Some(payment.clone())))
    });
    match outcome {
        Ok((answer, newly_refunded)) => {
            if let Some(payment) = newly_refunded {
                let mut notified = answer.clone();
                notified.status = None;
                notified.refund_status = Some("SUCCESS".into());
                let url = request.notify_url.clone().or(payment.notify_url.clone());
                notify(
                    &sandbox,
                    &payment,
                    url,
                    "REFUND.SUCCESS",
                    "refund",
                    |delta| {
                        let mut body = notified.clone();
                        body.amount.refund += delta;
                        serde_json::to_vec(&body).unwrap_or_default()
                    },
                );
            }
            signed(
                &sandbox,
                StatusCode::OK,
                serde_json::to_string(&answer).unwrap_or_default(),
            )
        }
        Err((code, message)) => error(&sandbox, StatusCode::BAD_REQUEST, code, message),
    }
}

async fn query_refund(
    State(sandbox): State<Arc<Sandbox>>,
    Path(out_refund_no): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(SignError(why)) = check_merchant(&sandbox, &method, &uri, &headers, b"") {
        return error(&sandbox, StatusCode::UNAUTHORIZED, "SIGN_ERROR", &why);
    }
    let answer = sandbox.with_ledger(|ledger| {
        ledger
            .payments
            .iter()
            .filter(|p| p.provider == Provider::Wechat)
            .find_map(|p| refund_answer(p, &out_refund_no))
    });
    match answer {
        Some(answer) => signed(
            &sandbox,
            StatusCode::OK,
            serde_json::to_string(&answer).unwrap_or_default(),
        ),
        None => error(
            &sandbox,
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_EXISTS",
            "no such refund",
        ),
    }
}

/// Sends an encrypted, signed notification about `payment`.
fn notify(
    sandbox: &Arc<Sandbox>,
    payment: &Payment,
    url: Option<String>,
    event_type: &str,
    original_type: &str,
    plaintext: impl Fn(i64) -> Vec<u8>,
) {
    let Some(url) = url else { return };
    let faults = sandbox.notification_faults(&payment.merchant_ref);
    let plaintext = plaintext(if faults.wrong_amount { 1 } else { 0 });
    let Ok(key) = ApiV3Key::new(&sandbox.keys.wechat_api_v3_key) else {
        return;
    };
    let nonce = sandbox.nonce(12);
    let Ok(resource) =
        EncryptedResource::encrypt(&key, &nonce, original_type, original_type, &plaintext)
    else {
        return;
    };
    let created = now()
        .to_offset(time::macros::offset!(+8))
        .format(&Rfc3339)
        .unwrap_or_default();
    let envelope = Envelope {
        id: format!("EV-{}", sandbox.next_id()),
        create_time: created,
        event_type: event_type.to_owned(),
        resource_type: "encrypt-resource".into(),
        summary: event_type.to_owned(),
        resource,
    };
    let body = serde_json::to_vec(&envelope).unwrap_or_default();
    let signature_nonce = sandbox.nonce(32);
    let Ok(mut headers) = WechatpayHeaders::sign(
        &sandbox.keys.wechat_platform,
        &sandbox.keys.wechat_platform_serial,
        now().unix_timestamp(),
        &signature_nonce,
        &body,
    ) else {
        return;
    };
    if faults.bad_signature {
        headers.signature = corrupt(&headers.signature);
    }
    sandbox.deliver(Delivery {
        provider: Provider::Wechat,
        handle: payment.handle.clone(),
        event: event_type.to_owned(),
        url,
        body,
        content_type: "application/json",
        headers: vec![
            (WechatpayHeaders::SIGNATURE.into(), headers.signature),
            (WechatpayHeaders::TIMESTAMP.into(), headers.timestamp),
            (WechatpayHeaders::NONCE.into(), headers.nonce),
            (WechatpayHeaders::SERIAL.into(), headers.serial),
        ],
        ack: Ack::Success,
        schedule: WECHAT_SCHEDULE,
        faults,
    });
}

/// A signature that is still base64 but no longer right.
pub fn corrupt(signature: &str) -> String {
    let first = if signature.starts_with('A') { "B" } else { "A" };
    format!("{first}{}", signature.get(1..).unwrap_or_default())
}

/// The diner in WeChat's payment sheet.
pub fn tap(
    sandbox: &Arc<Sandbox>,
    payment: &Payment,
    tap: Tap,
    redirect_url: Option<String>,
) -> Tapped {
    let transaction_id = format!("42000{:023}", sandbox.next_id());
    let captured = sandbox.with_ledger(|ledger| {
        let stored = ledger.by_handle(Provider::Wechat, &payment.handle)?;
        match tap {
            Tap::Pay => stored
                .capture(transaction_id, now().unix_timestamp())
                .then(|| stored.clone()),
            Tap::Decline => {
                if stored.status == Status::Open {
                    stored.status = Status::Failed;
                }
                None
            }
            Tap::Cancel => None,
        }
    });
    if let Some(paid) = captured {
        notify(
            sandbox,
            &paid,
            paid.notify_url.clone(),
            "TRANSACTION.SUCCESS",
            "transaction",
            |delta| serde_json::to_vec(&transaction(sandbox, &paid, delta)).unwrap_or_default(),
        );
    }
    Tapped {
        merchant_ref: payment.merchant_ref.clone(),
        back_to: redirect_url,
    }
}
