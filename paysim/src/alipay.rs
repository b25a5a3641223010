//! Alipay's gateway as the sandbox plays it: `GET/POST /gateway.do` with
//! `method=`, every request's RSA2 signature checked with the merchant's
//! application key, every answer signed with Alipay's key over its
//! `*_response` member, and asynchronous notifications that stop only at the
//! exact answer `success`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use time::macros::{format_description, offset};
use wendan_payments::alipay::notification::{SUCCESS, parse_form};
use wendan_payments::alipay::request::{RefundContent, TradeContent, WapPayContent};
use wendan_payments::alipay::response::{Call, TradeAnswer};
use wendan_payments::alipay::sign::{Content, content, verify};
use wendan_payments::money::{fen_to_yuan, yuan_to_fen};

use crate::ledger::{Payment, Provider, Status};
use crate::notifier::{ALIPAY_SCHEDULE, Ack, Delivery};
use crate::wallet::{Tap, Tapped};
use crate::{Sandbox, now};

pub fn routes() -> Router<Arc<Sandbox>> {
    Router::new().route("/gateway.do", get(gateway).post(gateway))
}

fn beijing(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or_else(|_| now())
        .to_offset(offset!(+8))
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_default()
}

fn parse_beijing(text: &str) -> Option<i64> {
    time::PrimitiveDateTime::parse(
        text,
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    )
    .ok()
    .map(|at| at.assume_offset(offset!(+8)).unix_timestamp())
}

/// A signed answer: `{"<method>_response":{…},"sign":"…"}`.
fn answer(sandbox: &Sandbox, call: Call, member: &TradeAnswer) -> Response {
    let text = serde_json::to_string(member).unwrap_or_default();
    let Ok(sign) = sandbox.keys.alipay.sign_base64(text.as_bytes()) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let body = format!("{{\"{}\":{text},\"sign\":\"{sign}\"}}", call.member());
    ([("Content-Type", "application/json;charset=utf-8")], body).into_response()
}

fn refused(code: &str, sub_code: &str, sub_msg: &str) -> TradeAnswer {
    TradeAnswer {
        code: code.into(),
        msg: "Business Failed".into(),
        sub_code: Some(sub_code.into()),
        sub_msg: Some(sub_msg.into()),
        ..TradeAnswer::default()
    }
}

async fn gateway(
    State(sandbox): State<Arc<Sandbox>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let mut params = match parse_form(query.unwrap_or_default().as_bytes()) {
        Ok(params) => params,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    match parse_form(&body) {
        Ok(form) => params.extend(form),
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    }
    let method = params.get("method").cloned().unwrap_or_default();
    let call = match method.as_str() {
        "alipay.trade.wap.pay" => None,
        "alipay.trade.query" => Some(Call::Query),
        "alipay.trade.close" => Some(Call::Close),
        "alipay.trade.refund" => Some(Call::Refund),
        _ => return (StatusCode::BAD_REQUEST, "sandbox: unknown method").into_response(),
    };
    let signed_by_merchant = params.get("app_id") == Some(&sandbox.config.alipay_app_id)
        && verify(&params, Content::Request, &sandbox.keys.alipay_app_public()).is_ok();
    let Some(call) = call else {
        if !signed_by_merchant {
            return (
                StatusCode::BAD_REQUEST,
                "sandbox: invalid signature (isv.invalid-signature)",
            )
                .into_response();
        }
        return wap_pay(&sandbox, &params);
    };
    if !signed_by_merchant {
        return answer(
            &sandbox,
            call,
            &refused("40002", "isv.invalid-signature", "invalid signature"),
        );
    }
    let biz = params.get("biz_content").cloned().unwrap_or_default();
    match call {
        Call::Query => match serde_json::from_str::<TradeContent>(&biz) {
            Ok(trade) => {
                if let Some(fault) = sandbox.query_fault(&trade.out_trade_no).await {
                    return fault;
                }
                answer(&sandbox, call, &query_trade(&sandbox, &trade.out_trade_no))
            }
            Err(e) => answer(
                &sandbox,
                call,
                &refused("40004", "ACQ.INVALID_PARAMETER", &e.to_string()),
            ),
        },
        Call::Close => match serde_json::from_str::<TradeContent>(&biz) {
            Ok(trade) => answer(&sandbox, call, &close(&sandbox, &trade.out_trade_no)),
            Err(e) => answer(
                &sandbox,
                call,
                &refused("40004", "ACQ.INVALID_PARAMETER", &e.to_string()),
            ),
        },
        Call::Refund => match serde_json::from_str::<RefundContent>(&biz) {
            Ok(request) => answer(&sandbox, call, &refund(&sandbox, &request)),
            Err(e) => answer(
                &sandbox,
                call,
                &refused("40004", "ACQ.INVALID_PARAMETER", &e.to_string()),
            ),
        },
    }
}

/// The diner's browser arrives with the signed redirect: the trade exists
/// from now on (as Alipay creates a WAP trade when the cashier opens).
fn wap_pay(sandbox: &Sandbox, params: &BTreeMap<String, String>) -> Response {
    let Some(content) = params
        .get("biz_content")
        .and_then(|biz| serde_json::from_str::<WapPayContent>(biz).ok())
    else {
        return (
            StatusCode::BAD_REQUEST,
            "sandbox: biz_content is not a wap.pay content",
        )
            .into_response();
    };
    let Ok(amount) = yuan_to_fen(&content.total_amount) else {
        return (StatusCode::BAD_REQUEST, "sandbox: bad total_amount").into_response();
    };
    let fingerprint = serde_json::to_value(&content).unwrap_or_default();
    let conflict = sandbox.with_ledger(|ledger| {
        if let Some(existing) = ledger.by_ref(Provider::Alipay, &content.out_trade_no) {
            return existing.fingerprint != fingerprint;
        }
        ledger.payments.push(Payment {
            provider: Provider::Alipay,
            merchant_ref: content.out_trade_no.clone(),
            handle: content.out_trade_no.clone(),
            amount,
            currency: "CNY".into(),
            description: content.subject.clone(),
            status: Status::Open,
            transaction_id: None,
            created_at: now().unix_timestamp(),
            expires_at: parse_beijing(&content.time_expire),
            notify_url: params.get("notify_url").cloned(),
            return_url: params.get("return_url").cloned(),
            cancel_url: content.quit_url.clone(),
            fingerprint,
            extra: serde_json::Value::Null,
            captures: vec![],
            refunds: vec![],
            notifications: vec![],
            repeat_taps: 0,
        });
        false
    });
    if conflict {
        return (
            StatusCode::BAD_REQUEST,
            "sandbox: out_trade_no reused with other parameters",
        )
            .into_response();
    }
    Redirect::to(&format!("/sandbox/wallet/alipay/{}", content.out_trade_no)).into_response()
}

fn trade_answer(payment: &Payment) -> TradeAnswer {
    let status = match payment.status {
        Status::Open | Status::Failed => "WAIT_BUYER_PAY",
        Status::Paid => "TRADE_SUCCESS",
        Status::Closed | Status::Refunded => "TRADE_CLOSED",
    };
    let refunded: i64 = payment.refunds.iter().map(|r| r.amount).sum();
    TradeAnswer {
        code: "10000".into(),
        msg: "Success".into(),
        trade_no: payment.transaction_id.clone(),
        out_trade_no: Some(payment.merchant_ref.clone()),
        trade_status: Some(status.into()),
        total_amount: fen_to_yuan(payment.amount).ok(),
        refund_fee: (refunded > 0).then(|| fen_to_yuan(refunded).ok()).flatten(),
        ..TradeAnswer::default()
    }
}

fn query_trade(sandbox: &Sandbox, out_trade_no: &str) -> TradeAnswer {
    sandbox.with_ledger(
        |ledger| match ledger.by_ref(Provider::Alipay, out_trade_no) {
            Some(payment) => {
                payment.expire_if_due(now().unix_timestamp());
                trade_answer(payment)
            }
            None => refused("40004", "ACQ.TRADE_NOT_EXIST", "交易不存在"),
        },
    )
}

fn close(sandbox: &Sandbox, out_trade_no: &str) -> TradeAnswer {
    sandbox.with_ledger(
        |ledger| match ledger.by_ref(Provider::Alipay, out_trade_no) {
            Some(payment) if matches!(payment.status, Status::Paid | Status::Refunded) => {
                refused("40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
            }
            Some(payment) => {
                payment.status = Status::Closed;
                TradeAnswer {
                    code: "10000".into(),
                    msg: "Success".into(),
                    out_trade_no: Some(payment.merchant_ref.clone()),
                    ..TradeAnswer::default()
                }
            }
            None => refused("40004", "ACQ.TRADE_NOT_EXIST", "交易不存在"),
        },
    )
}

fn refund(sandbox: &Arc<Sandbox>, request: &RefundContent) -> TradeAnswer {
    let refund_id = format!("{}", 900_000 + sandbox.next_id());
    let (answer, newly_refunded) = sandbox.with_ledger(|ledger| {
        let Some(payment) = ledger.by_ref(Provider::Alipay, &request.out_trade_no) else {
            return (refused("40004", "ACQ.TRADE_NOT_EXIST", "交易不存在"), None);
        };
        let refunded_answer = |payment: &Payment, fund_change: &str| TradeAnswer {
            fund_change: Some(fund_change.into()),
            refund_fee: fen_to_yuan(payment.amount).ok(),
            ..trade_answer(payment)
        };
        if payment.refund_numbered(&request.out_request_no).is_some() {
            return (refunded_answer(payment, "N"), None);
        }
        if yuan_to_fen(&request.refund_amount).ok() != Some(payment.amount) {
            let why = "the sandbox refunds whole payments only";
            return (
                refused("40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", why),
                None,
            );
        }
        if payment
            .refund(&request.out_request_no, refund_id, now().unix_timestamp())
            .is_none()
        {
            return (
                refused("40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法"),
                None,
            );
        }
        (refunded_answer(payment, "Y"), Some(payment.clone()))
    });
    if let Some(payment) = newly_refunded {
        notify(sandbox, &payment, Some(&request.out_request_no));
    }
    answer
}

/// Posts a signed `trade_status_sync` notification about `payment`.
fn notify(sandbox: &Arc<Sandbox>, payment: &Payment, refund_no: Option<&str>) {
    let Some(url) = payment.notify_url.clone() else {
        return;
    };
    let faults = sandbox.notification_faults(&payment.merchant_ref);
    let at = now().unix_timestamp();
    let answer = trade_answer(payment);
    let delta = if faults.wrong_amount { 1 } else { 0 };
    let mut params: BTreeMap<String, String> = [
        ("notify_time", beijing(at)),
        ("notify_type", "trade_status_sync".into()),
        ("notify_id", format!("2026{:030}", sandbox.next_id())),
        ("app_id", sandbox.config.alipay_app_id.clone()),
        ("charset", "utf-8".into()),
        ("version", "1.0".into()),
        ("out_trade_no", payment.merchant_ref.clone()),
        (
            "trade_status",
            answer.trade_status.clone().unwrap_or_default(),
        ),
        (
            "total_amount",
            fen_to_yuan(payment.amount + delta).unwrap_or_default(),
        ),
        ("subject", payment.description.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let Some(trade_no) = &payment.transaction_id {
        params.insert("trade_no".into(), trade_no.clone());
    }
    if let Some(capture) = payment.captures.first() {
        params.insert("gmt_payment".into(), beijing(capture.at));
    }
    if let Some(refund_no) = refund_no {
        params.insert("out_biz_no".into(), refund_no.to_owned());
        params.insert(
            "refund_fee".into(),
            fen_to_yuan(payment.amount + delta).unwrap_or_default(),
        );
        params.insert("gmt_refund".into(), beijing(at));
    }
    params.insert("sign_type".into(), "RSA2".into());
    let Ok(mut sign) = sandbox
        .keys
        .alipay
        .sign_base64(content(&params, Content::Notification).as_bytes())
    else {
        return;
    };
    if faults.bad_signature {
        sign = crate::wechat::corrupt(&sign);
    }
    params.insert("sign".into(), sign);
    let Ok(body) = serde_urlencoded::to_string(&params) else {
        return;
    };
    sandbox.deliver(Delivery {
        provider: Provider::Alipay,
        handle: payment.handle.clone(),
        event: answer.trade_status.unwrap_or_default(),
        url,
        body: body.into_bytes(),
        content_type: "application/x-www-form-urlencoded;charset=utf-8",
        headers: vec![],
        ack: Ack::Body(SUCCESS),
        schedule: ALIPAY_SCHEDULE,
        faults,
    });
}

fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}{query}")
}

/// The diner in Alipay's cashier.
pub fn tap(sandbox: &Arc<Sandbox>, payment: &Payment, tap: Tap) -> Tapped {
    let trade_no = format!("2026{:024}", sandbox.next_id());
    let captured = sandbox.with_ledger(|ledger| {
        let stored = ledger.by_handle(Provider::Alipay, &payment.handle)?;
        (tap == Tap::Pay && stored.capture(trade_no, now().unix_timestamp()))
            .then(|| stored.clone())
    });
    if let Some(paid) = &captured {
        notify(sandbox, paid, None);
    }
    let back_to = match tap {
        // The synchronous return: proves nothing, carries the numbers.
        Tap::Pay => payment.return_url.as_deref().map(|url| {
            let trade_no = captured
                .as_ref()
                .and_then(|p| p.transaction_id.clone())
                .or(payment.transaction_id.clone())
                .unwrap_or_default();
            with_query(
                url,
                &[
                    ("out_trade_no", payment.merchant_ref.as_str()),
                    ("trade_no", trade_no.as_str()),
                    ("method", "alipay.trade.wap.pay.return"),
                ],
            )
        }),
        // A declined card leaves the diner in the cashier.
        Tap::Decline => None,
        Tap::Cancel => payment.cancel_url.clone().or(payment.return_url.clone()),
    };
    Tapped {
        merchant_ref: payment.merchant_ref.clone(),
        back_to,
    }
}
