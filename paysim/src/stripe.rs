//! Stripe's API as the sandbox plays it: Checkout Sessions, PaymentIntents
//! and refunds behind `Authorization: Bearer sk_…`, `Idempotency-Key`s
//! honoured (same key and body: the same answer; same key, other body: an
//! `idempotency_error`), and events posted to the registered webhook
//! endpoint with `Stripe-Signature`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use wendan_payments::stripe::webhook::sign;

use crate::ledger::{Payment, Provider, Status};
use crate::notifier::{Ack, Delivery, STRIPE_SCHEDULE};
use crate::wallet::{Tap, Tapped};
use crate::{Sandbox, now};

pub fn routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/v1/checkout/sessions", post(create_session))
        .route("/v1/checkout/sessions/{id}", get(retrieve_session))
        .route("/v1/checkout/sessions/{id}/expire", post(expire_session))
        .route("/v1/payment_intents/{id}", get(retrieve_intent))
        .route("/v1/payment_intents/{id}/cancel", post(cancel_intent))
        .route("/v1/refunds", post(create_refund))
}

fn stripe_error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": {"type": kind, "message": message}})),
    )
        .into_response()
}

/// A request refused before it reaches the API (bad key, unreadable form).
struct Refused(StatusCode, String);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        stripe_error(self.0, "invalid_request_error", &self.1)
    }
}

fn check_key(sandbox: &Sandbox, headers: &HeaderMap) -> Result<(), Refused> {
    let expected = format!("Bearer {}", sandbox.keys.stripe_secret_key);
    match headers.get("Authorization").and_then(|v| v.to_str().ok()) {
        Some(given) if given == expected => Ok(()),
        _ => Err(Refused(
            StatusCode::UNAUTHORIZED,
            "Invalid API Key provided".into(),
        )),
    }
}

fn form(body: &[u8]) -> Result<BTreeMap<String, String>, Refused> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .map(|pairs| pairs.into_iter().collect())
        .map_err(|e| Refused(StatusCode::BAD_REQUEST, e.to_string()))
}

/// `metadata[k]=v` (or `payment_intent_data[metadata][k]=v`) pairs as an object.
fn metadata(params: &BTreeMap<String, String>, prefix: &str) -> Value {
    let object: serde_json::Map<String, Value> = params
        .iter()
        .filter_map(|(k, v)| {
            let key = k
                .strip_prefix(prefix)?
                .strip_prefix('[')?
                .strip_suffix(']')?;
            Some((key.to_owned(), Value::String(v.clone())))
        })
        .collect();
    Value::Object(object)
}

/// Runs `create` once per `Idempotency-Key`: a repeat gets the stored answer.
fn idempotent(
    sandbox: &Sandbox,
    headers: &HeaderMap,
    body: &[u8],
    create: impl FnOnce() -> (StatusCode, String),
) -> Response {
    let key = headers
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = String::from_utf8_lossy(body).into_owned();
    if let Some(key) = &key
        && let Some((status, answer)) = sandbox.idempotent_replay(key, &body)
    {
        let mut response = (status, [("Content-Type", "application/json")], answer).into_response();
        if let Ok(value) = "true".parse() {
            response.headers_mut().insert("Idempotent-Replayed", value);
        }
        return response;
    }
    let (status, answer) = create();
    if let Some(key) = &key {
        sandbox.remember_idempotent(key, &body, status, &answer);
    }
    (status, [("Content-Type", "application/json")], answer).into_response()
}

fn session_json(sandbox: &Sandbox, payment: &Payment, amount_delta: i64) -> Value {
    let (status, payment_status) = match payment.status {
        Status::Open | Status::Failed => ("open", "unpaid"),
        Status::Paid | Status::Refunded => ("complete", "paid"),
        Status::Closed => ("expired", "unpaid"),
    };
    json!({
        "id": payment.handle,
        "object": "checkout.session",
        "url": (status == "open").then(|| format!("{}/sandbox/wallet/stripe/{}", sandbox.public_url, payment.handle)),
        "status": status,
        "payment_status": payment_status,
        "payment_intent": payment.transaction_id,
        "amount_total": payment.amount + amount_delta,
        "currency": payment.currency,
        "client_reference_id": payment.extra["client_reference_id"],
        "metadata": payment.extra["metadata"],
        "expires_at": payment.expires_at,
        "success_url": payment.return_url,
        "cancel_url": payment.cancel_url,
    })
}

fn intent_json(payment: &Payment, amount_delta: i64) -> Value {
    let status = match payment.status {
        Status::Paid | Status::Refunded => "succeeded",
        Status::Open | Status::Failed => "requires_payment_method",
        Status::Closed => "canceled",
    };
    let paid = matches!(payment.status, Status::Paid | Status::Refunded);
    json!({
        "id": payment.transaction_id,
        "object": "payment_intent",
        "amount": payment.amount + amount_delta,
        "amount_received": if paid { payment.amount + amount_delta } else { 0 },
        "currency": payment.currency,
        "status": status,
        "metadata": payment.extra["pi_metadata"],
        "last_payment_error": (payment.status == Status::Failed).then(|| json!({"code": "card_declined", "type": "card_error"})),
    })
}

async fn create_session(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match check_key(&sandbox, &headers).and_then(|()| form(&body)) {
        Ok(params) => params,
        Err(refused) => return refused.into_response(),
    };
    let handle = format!("cs_test_sandbox_{:016}", sandbox.next_id());
    idempotent(&sandbox, &headers, &body, || {
        let get = |k: &str| params.get(k).cloned();
        let amount =
            get("line_items[0][price_data][unit_amount]").and_then(|a| a.parse::<i64>().ok());
        let quantity = get("line_items[0][quantity]")
            .and_then(|q| q.parse::<i64>().ok())
            .unwrap_or(1);
        let (Some(amount), Some(currency), Some(success_url)) = (
            amount,
            get("line_items[0][price_data][currency]"),
            get("success_url"),
        ) else {
            return (StatusCode::BAD_REQUEST, json!({"error": {"type": "invalid_request_error", "message": "line_items price_data and success_url are required"}}).to_string());
        };
        let payment = Payment {
            provider: Provider::Stripe,
            merchant_ref: get("metadata[wendan_ref]").unwrap_or_else(|| handle.clone()),
            handle: handle.clone(),
            amount: amount * quantity,
            currency,
            description: get("line_items[0][price_data][product_data][name]").unwrap_or_default(),
            status: Status::Open,
            transaction_id: None,
            created_at: now().unix_timestamp(),
            expires_at: get("expires_at").and_then(|t| t.parse().ok()),
            notify_url: sandbox.stripe_webhook_url(),
            return_url: Some(success_url),
            cancel_url: get("cancel_url"),
            fingerprint: json!(params),
            extra: json!({
                "client_reference_id": get("client_reference_id"),
                "metadata": metadata(&params, "metadata"),
                "pi_metadata": metadata(&params, "payment_intent_data[metadata]"),
            }),
            captures: vec![],
            refunds: vec![],
            notifications: vec![],
            repeat_taps: 0,
        };
        let answer = session_json(&sandbox, &payment, 0).to_string();
        sandbox.with_ledger(|ledger| ledger.payments.push(payment));
        (StatusCode::OK, answer)
    })
}

fn find(sandbox: &Sandbox, by: impl Fn(&Payment) -> bool) -> Option<Payment> {
    sandbox.with_ledger(|ledger| {
        let payment = ledger
            .payments
            .iter_mut()
            .find(|p| p.provider == Provider::Stripe && by(p))?;
        payment.expire_if_due(now().unix_timestamp());
        Some(payment.clone())
    })
}

async fn retrieve_session(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = check_key(&sandbox, &headers) {
        return refused.into_response();
    }
    let Some(payment) = find(&sandbox, |p| p.handle == id) else {
        return stripe_error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "No such checkout.session",
        );
    };
    if let Some(fault) = sandbox.query_fault(&payment.merchant_ref).await {
        return fault;
    }
    axum::Json(session_json(&sandbox, &payment, 0)).into_response()
}

async fn expire_session(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = check_key(&sandbox, &headers) {
        return refused.into_response();
    }
    let expired = sandbox.with_ledger(|ledger| {
        let payment = ledger.by_handle(Provider::Stripe, &id)?;
        if matches!(payment.status, Status::Open | Status::Failed) {
            payment.status = Status::Closed;
            Some(Ok(payment.clone()))
        } else {
            Some(Err(payment.clone()))
        }
    });
    match expired {
        Some(Ok(payment)) => {
            send_event(&sandbox, &payment, "checkout.session.expired", |delta| {
                session_json(&sandbox, &payment, delta)
            });
            axum::Json(session_json(&sandbox, &payment, 0)).into_response()
        }
        Some(Err(_)) => stripe_error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "Only Checkout Sessions with a status of open can be expired",
        ),
        None => stripe_error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "No such checkout.session",
        ),
    }
}

async fn retrieve_intent(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = check_key(&sandbox, &headers) {
        return refused.into_response();
    }
    let Some(payment) = find(&sandbox, |p| {
        p.transaction_id.as_deref() == Some(id.as_str())
    }) else {
        return stripe_error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "No such payment_intent",
        );
    };
    if let Some(fault) = sandbox.query_fault(&payment.merchant_ref).await {
        return fault;
    }
    axum::Json(intent_json(&payment, 0)).into_response()
}

async fn cancel_intent(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = check_key(&sandbox, &headers) {
        return refused.into_response();
    }
    let cancelled = sandbox.with_ledger(|ledger| {
        let payment = ledger.by_transaction(Provider::Stripe, &id)?;
        if matches!(payment.status, Status::Paid | Status::Refunded) {
            return Some(Err(()));
        }
        payment.status = Status::Closed;
        Some(Ok(payment.clone()))
    });
    match cancelled {
        Some(Ok(payment)) => axum::Json(intent_json(&payment, 0)).into_response(),
        Some(Err(())) => stripe_error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "You cannot cancel this PaymentIntent because it has a status of succeeded.",
        ),
        None => stripe_error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "No such payment_intent",
        ),
    }
}

async fn create_refund(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match check_key(&sandbox, &headers).and_then(|()| form(&body)) {
        Ok(params) => params,
        Err(refused) => return refused.into_response(),
    };
    let refund_id = format!("re_sandbox_{:016}", sandbox.next_id());
    idempotent(&sandbox, &headers, &body, || {
        let intent = params.get("payment_intent").cloned().unwrap_or_default();
        let refund_no = params
            .get("metadata[wendan_ref]")
            .cloned()
            .unwrap_or_else(|| refund_id.clone());
        let refund_metadata = metadata(&params, "metadata");
        let outcome = sandbox.with_ledger(|ledger| {
            let payment = ledger
                .by_transaction(Provider::Stripe, &intent)
                .ok_or("No such payment_intent")?;
            let amount = params
                .get("amount")
                .and_then(|a| a.parse::<i64>().ok())
                .unwrap_or(payment.amount);
            if amount != payment.amount {
                return Err("the sandbox refunds whole payments only");
            }
            match payment.refund(&refund_no, refund_id.clone(), now().unix_timestamp()) {
                Some(_) => Ok(payment.clone()),
                None if payment.status == Status::Refunded => {
                    Err("Charge has already been refunded.")
                }
                None => Err("This PaymentIntent has no successful charge to refund."),
            }
        });
        match outcome {
            Ok(payment) => {
                let refund = json!({
                    "id": refund_id, "object": "refund", "amount": payment.amount, "currency": payment.currency,
                    "payment_intent": payment.transaction_id, "status": "succeeded", "metadata": refund_metadata,
                });
                send_event(&sandbox, &payment, "charge.refunded", |delta| {
                    json!({
                        "id": format!("ch_{}", payment.transaction_id.clone().unwrap_or_default()),
                        "object": "charge", "amount": payment.amount, "amount_refunded": payment.amount + delta,
                        "currency": payment.currency, "refunded": true, "payment_intent": payment.transaction_id,
                        "metadata": payment.extra["pi_metadata"],
                    })
                });
                (StatusCode::OK, refund.to_string())
            }
            Err(message) => (
                StatusCode::BAD_REQUEST,
                json!({"error": {"type": "invalid_request_error", "message": message}}).to_string(),
            ),
        }
    })
}

/// Posts a signed event about `payment` to the registered endpoint.
fn send_event(
    sandbox: &Arc<Sandbox>,
    payment: &Payment,
    kind: &str,
    object: impl Fn(i64) -> Value,
) {
    let Some(url) = sandbox.stripe_webhook_url() else {
        return;
    };
    let faults = sandbox.notification_faults(&payment.merchant_ref);
    let created = now().unix_timestamp();
    let event = json!({
        "id": format!("evt_sandbox_{:016}", sandbox.next_id()),
        "object": "event",
        "type": kind,
        "created": created,
        "data": {"object": object(if faults.wrong_amount { 1 } else { 0 })},
    });
    let body = event.to_string().into_bytes();
    let mut header = sign(&body, &sandbox.keys.stripe_webhook_secret, created);
    if faults.bad_signature {
        header = format!("t={created},v1={}", "0".repeat(64));
    }
    sandbox.deliver(Delivery {
        provider: Provider::Stripe,
        handle: payment.handle.clone(),
        event: kind.to_owned(),
        url,
        body,
        content_type: "application/json",
        headers: vec![("Stripe-Signature".into(), header)],
        ack: Ack::Success,
        schedule: STRIPE_SCHEDULE,
        faults,
    });
}

/// The diner on the hosted Checkout page.
pub fn tap(sandbox: &Arc<Sandbox>, payment: &Payment, tap: Tap) -> Tapped {
    let fresh_intent = format!("pi_sandbox_{:016}", sandbox.next_id());
    let changed = sandbox.with_ledger(|ledger| {
        let stored = ledger.by_handle(Provider::Stripe, &payment.handle)?;
        let intent = stored.transaction_id.clone().unwrap_or(fresh_intent);
        match tap {
            Tap::Pay => stored
                .capture(intent, now().unix_timestamp())
                .then(|| stored.clone()),
            Tap::Decline if matches!(stored.status, Status::Open | Status::Failed) => {
                stored.status = Status::Failed;
                stored.transaction_id = Some(intent);
                Some(stored.clone())
            }
            _ => None,
        }
    });
    if let Some(changed) = &changed {
        if changed.status == Status::Paid {
            send_event(sandbox, changed, "checkout.session.completed", |delta| {
                session_json(sandbox, changed, delta)
            });
            send_event(sandbox, changed, "payment_intent.succeeded", |delta| {
                intent_json(changed, delta)
            });
        } else {
            send_event(sandbox, changed, "payment_intent.payment_failed", |delta| {
                intent_json(changed, delta)
            });
        }
    }
    let back_to = match tap {
        Tap::Pay => payment
            .return_url
            .as_ref()
            .map(|url| url.replace("{CHECKOUT_SESSION_ID}", &payment.handle)),
        Tap::Decline => None,
        Tap::Cancel => payment.cancel_url.clone(),
    };
    Tapped {
        merchant_ref: payment.merchant_ref.clone(),
        back_to,
    }
}
