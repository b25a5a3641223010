//! The payment routes: the diner's "Pay" and payment status, the providers'
//! notifications, and staff settling at the counter. The rules are the
//! cashier's (`crate::cashier`); these are thin adapters.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;
use wendan_payments::Payment;
use wendan_payments::wire::{PaymentOptions, PaymentView};
use wendan_protocol::{OrderStatus, Problem, ProblemType};

use super::orders::idempotency_key;
use crate::auth::Kitchen;
use crate::auth::cookie::{cookie, secure_for};
use crate::cashier::CashierError;
use crate::json_body::AnyObject;
use crate::json_body::AppJson;
use crate::limits::client_ip::client_ip;
use crate::limits::connections::Peer;
use crate::metrics::{NotificationLabel, ProviderLabel};
use crate::payments::wechat_openid::OpenidExchange;
use crate::payments::{Channel, ProviderId};
use crate::problem::ApiError;
use crate::query_string::AppQuery;
use crate::state::AppState;
use crate::storage::OrderStore;
use crate::storage::payments::StoredPayment;

/// "Pay": how the diner wants to pay.
#[derive(Debug, Deserialize)]
pub struct PayRequest {
    #[serde(flatten)]
    pub channel: Channel,
}

/// `GET /api/v1/payments/options`: the providers the widget may offer.
#[utoipa::path(
    get,
    path = "/api/v1/payments/options",
    tag = "diner",
    responses((status = 200, description = "Enabled providers, online ones first, the counter last", body = PaymentOptions))
)]
pub async fn options(State(state): State<AppState>) -> Json<PaymentOptions> {
    let providers = state.cashier.providers();
    Json(PaymentOptions {
        providers: providers.enabled(),
        sandbox: providers.is_sandbox(),
        wechat_in_browser: providers.openid_exchange().is_some(),
    })
}

/// `POST /api/v1/orders/{id}/payments`: start the order's payment, or
/// resume the one in flight. Asking again (another tab, the service worker,
/// a retry) never makes a second provider payment: the order's payment is
/// the idempotency, and the key is only required so that every client
/// sends its retries the same way.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{id}/payments",
    tag = "diner",
    params(
        ("id" = String, Path, description = "The order's id"),
        ("Idempotency-Key" = String, Header, description = "Required, as for orders; the order's one payment is the idempotency"),
    ),
    request_body(content = Channel, description = "How the diner pays"),
    responses(
        (status = 200, description = "The payment, with `handoff`: how the page continues", body = PaymentView),
        (status = 400, description = "malformed-request (also an `openid` or payer address that is not one) or a missing key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "payment-refused: the order is not waiting for payment, or the provider is not set up", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "payment-provider-unavailable: asking again resumes the same payment", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn pay(
    State(state): State<AppState>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    Path(id): Path<String>,
    headers: HeaderMap,
    AppJson(request): AppJson<PayRequest>,
) -> Result<Json<PaymentView>, ApiError> {
    idempotency_key(&headers)?;
    let mut channel = request.channel;
    channel.check().map_err(|refused| {
        ApiError::new(ProblemType::MalformedRequest).detail(refused.to_string())
    })?;
    let provider = channel.provider();
    // A page does not know its own public address; WeChat H5 compares the
    // one the create names with the one that opens `h5_url`, so the server
    // names the address the request came from.
    if let Channel::WechatH5 { payer_client_ip } = &mut channel
        && payer_client_ip.is_empty()
    {
        *payer_client_ip = client_ip(peer, &headers, state.trust_forwarded_for).to_string();
    }
    let order = state
        .storage
        .order(&id)
        .await?
        .ok_or_else(|| ApiError::new(ProblemType::NotFound).detail("no such order"))?;
    let description = format!("Wendan #{} / 订单 {}", order.number, order.number);
    let started = state
        .cashier
        .pay(&id, channel, description, OffsetDateTime::now_utc())
        .await
        .map_err(problem)?;
    // The counter's strip on the kitchen display shows how each waiting
    // order pays; no order moved, so no status event tells it. This
    // replica's displays now; on PostgreSQL the others hear it by NOTIFY.
    state.events.board_changed();
    state
        .metrics
        .payments_started
        .get_or_create(&ProviderLabel {
            provider: provider.as_str(),
        })
        .inc();
    Ok(Json(
        view(&state, &id, order.status, &started.payment).with_handoff(started.handoff),
    ))
}

/// `GET /api/v1/orders/{id}/payment`: where the order's payment stands. While
/// its outcome is unknown the server asks the provider first (the diner came
/// back from the provider's page, or is waiting on it).
#[utoipa::path(
    get,
    path = "/api/v1/orders/{id}/payment",
    tag = "diner",
    params(("id" = String, Path, description = "The order's id")),
    responses(
        (status = 200, description = "Where the payment stands (asked of the provider first while unknown)", body = PaymentView),
        (status = 404, description = "not-found", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn payment_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PaymentView>, ApiError> {
    let now = OffsetDateTime::now_utc();
    let stored = state.cashier.check(&id, now).await.map_err(problem)?;
    let order = state
        .storage
        .order(&id)
        .await?
        .ok_or_else(|| ApiError::new(ProblemType::NotFound).detail("no such order"))?;
    let stored = match stored {
        Some(stored) => stored,
        None => unpaid(&id, &order)?,
    };
    Ok(Json(view(&state, &id, order.status, &stored)))
}

/// `POST /api/v1/kitchen/orders/{id}/paid`: staff took the money at the
/// counter. A pay-first order goes to the kitchen with it.
#[utoipa::path(
    post,
    path = "/api/v1/kitchen/orders/{id}/paid",
    tag = "kitchen",
    security(("kitchen_token" = [])),
    params(("id" = String, Path, description = "The order's id")),
    request_body(content = Object, description = "`{}`: a JSON body, so that a form on another site cannot post it"),
    responses(
        (status = 200, description = "Paid at the counter; a pay-first order goes to the kitchen", body = PaymentView),
        (status = 400, description = "malformed-request: the body is not a JSON object", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "payment-refused: a payment is in flight online, or the order is closed", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn settle_at_counter(
    _kitchen: Kitchen,
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(_): AppJson<AnyObject>,
) -> Result<Json<PaymentView>, ApiError> {
    let now = OffsetDateTime::now_utc();
    let stored = state
        .cashier
        .settle_at_counter(&id, "kitchen", now)
        .await
        .map_err(problem)?;
    let order = state
        .storage
        .order(&id)
        .await?
        .ok_or_else(|| ApiError::new(ProblemType::NotFound))?;
    Ok(Json(view(&state, &id, order.status, &stored)))
}

/// The providers' notification endpoints: each verifies, records through
/// the cashier and answers exactly as its provider expects.
#[utoipa::path(
    post,
    path = "/api/v1/payments/wechat/notify",
    tag = "payments",
    request_body(content = String, description = "WeChat Pay's notification, verified by its signature"),
    responses(
        (status = 200, description = "Recorded (or a repeat): the provider stops resending"),
        (status = 204, description = "Recorded (WeChat Pay's acknowledgement)"),
        (status = 400, description = "Not verified or not recorded: the provider sends it again"),
        (status = 401, description = "Not verified (a bad signature)"),
        (status = 404, description = "WeChat Pay is not set up here", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Not recorded: the provider sends it again"),
    )
)]
pub async fn wechat_notify(state: State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    notified(state, ProviderId::Wechat, headers, body).await
}

#[utoipa::path(
    post,
    path = "/api/v1/payments/alipay/notify",
    tag = "payments",
    request_body(content = String, description = "Alipay's notification, verified by its signature"),
    responses(
        (status = 200, description = "Recorded (or a repeat): the provider stops resending"),
        (status = 204, description = "Recorded (WeChat Pay's acknowledgement)"),
        (status = 400, description = "Not verified or not recorded: the provider sends it again"),
        (status = 401, description = "Not verified (a bad signature)"),
        (status = 404, description = "Alipay is not set up here", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Not recorded: the provider sends it again"),
    )
)]
pub async fn alipay_notify(state: State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    notified(state, ProviderId::Alipay, headers, body).await
}

#[utoipa::path(
    post,
    path = "/api/v1/payments/stripe/webhook",
    tag = "payments",
    request_body(content = String, description = "Stripe's notification, verified by its signature"),
    responses(
        (status = 200, description = "Recorded (or a repeat): the provider stops resending"),
        (status = 204, description = "Recorded (WeChat Pay's acknowledgement)"),
        (status = 400, description = "Not verified or not recorded: the provider sends it again"),
        (status = 401, description = "Not verified (a bad signature)"),
        (status = 404, description = "Stripe is not set up here", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Not recorded: the provider sends it again"),
    )
)]
pub async fn stripe_webhook(state: State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    notified(state, ProviderId::Stripe, headers, body).await
}

async fn notified(
    State(state): State<AppState>,
    provider: ProviderId,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match state
        .cashier
        .notified(provider, &headers, &body, OffsetDateTime::now_utc())
        .await
    {
        Ok(response) => {
            let verdict = if response.status().is_success() {
                "accepted"
            } else {
                "rejected"
            };
            state
                .metrics
                .payment_notifications
                .get_or_create(&NotificationLabel {
                    provider: provider.as_str(),
                    verdict,
                })
                .inc();
            response
        }
        Err(provider) => ApiError::new(ProblemType::NotFound)
            .detail(format!("{provider} is not set up here"))
            .into_response(),
    }
}

fn view(
    state: &AppState,
    id: &str,
    order_status: OrderStatus,
    stored: &StoredPayment,
) -> PaymentView {
    PaymentView::new(
        id,
        stored.payment.state,
        order_status,
        stored.provider,
        stored.payment.transaction_reference().map(str::to_owned),
        state.cashier.providers().is_sandbox(),
    )
}

/// The payment of an order that has had no payment step yet.
fn unpaid(id: &str, order: &wendan_protocol::PlacedOrder) -> Result<StoredPayment, ApiError> {
    let payment: Payment =
        crate::storage::payments::first_payment(id, order.total_minor, &order.currency)?;
    Ok(StoredPayment {
        payment,
        provider: None,
        current: None,
    })
}

/// A cashier's refusal, as the diner's page (or the kitchen) reads it.
pub(crate) fn problem(error: CashierError) -> ApiError {
    match error {
        CashierError::NotFound => ApiError::new(ProblemType::NotFound).detail("no such order"),
        CashierError::Refused(refused) => {
            ApiError::new(ProblemType::PaymentRefused).detail(refused.to_string())
        }
        CashierError::ProviderNotEnabled(provider) => ApiError::new(ProblemType::PaymentRefused)
            .detail(format!("{provider} is not set up for this restaurant")),
        CashierError::Provider(error) => {
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                "a payment provider call failed"
            );
            let detail = if error.outcome_unknown() {
                "the payment provider did not answer; your payment is being checked, and paying again resumes it"
            } else {
                "the payment provider refused to start this payment"
            };
            ApiError::new(ProblemType::PaymentProviderUnavailable).detail(detail)
        }
        CashierError::Storage(error) => ApiError::from(error),
    }
}

/// The cookie binding WeChat's return to the browser that left for it.
const WECHAT_STATE_COOKIE: &str = "wendan_wechat_state";

#[derive(Debug, Deserialize)]
pub struct AuthorizeQuery {
    order_id: String,
}

/// `GET /api/v1/payments/wechat/authorize?order_id=…`: inside the WeChat
/// browser, "Pay" with WeChat first needs the diner's `openid`. The browser
/// goes to WeChat's silent authorisation and comes back to
/// [`wechat_openid`]; a random `state`, also kept in a short-lived cookie,
/// ties the return to this browser (a code from someone else's visit is
/// refused).
#[utoipa::path(
    get,
    path = "/api/v1/payments/wechat/authorize",
    tag = "diner",
    params(("order_id" = String, Query, description = "The order the diner is paying")),
    responses(
        (status = 303, description = "To WeChat's web authorisation (`snsapi_base`)"),
        (status = 400, description = "malformed-request: no `order_id`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: JSAPI is not set up here (no AppSecret), or not an order id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn wechat_authorize(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<AuthorizeQuery>,
) -> Result<Response, ApiError> {
    let (exchange, order_id) = openid_exchange_for(&state, &query.order_id)?;
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(|error| {
        ApiError::new(ProblemType::Internal).detail(format!("no random source: {error}"))
    })?;
    let nonce: String = nonce.iter().map(|byte| format!("{byte:02x}")).collect();
    let mut response = Redirect::to(&exchange.authorize_url(order_id, &nonce)).into_response();
    response
        .headers_mut()
        .insert(SET_COOKIE, state_cookie(&state, Some(&nonce)));
    Ok(response)
}

/// The `openid` exchange and the order it is for: 404 when JSAPI is not
/// set up here (no AppSecret) or the id is not an order id.
fn openid_exchange_for(
    state: &AppState,
    order_id: &str,
) -> Result<(Arc<OpenidExchange>, Uuid), ApiError> {
    let exchange = state
        .cashier
        .providers()
        .openid_exchange()
        .cloned()
        .ok_or_else(|| ApiError::new(ProblemType::NotFound).detail("WeChat JSAPI is not set up"))?;
    let order_id = Uuid::parse_str(order_id)
        .map_err(|_| ApiError::new(ProblemType::NotFound).detail("no such order"))?;
    Ok((exchange, order_id))
}

/// `Set-Cookie` for the authorisation's `state` (or forgetting it). `Lax`,
/// not `Strict`: it must come back on WeChat's top-level redirect.
fn state_cookie(state: &AppState, nonce: Option<&str>) -> HeaderValue {
    let (value, max_age) = nonce.map_or(("", 0), |nonce| (nonce, 600));
    let secure = if secure_for(&state.public_url) {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{WECHAT_STATE_COOKIE}={value}; Path=/api/v1/payments/wechat; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    );
    // Hex and fixed text: always a valid header value.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[derive(Debug, Deserialize)]
pub struct OpenidQuery {
    order_id: String,
    code: Option<String>,
    state: Option<String>,
}

/// `GET /api/v1/payments/wechat/openid?order_id=…&code=…&state=…`: WeChat's
/// return. The code is exchanged for the diner's `openid` (the AppSecret
/// never leaves the server), and the browser goes back to the widget with
/// it in the fragment, where the page continues the diner's "Pay".
#[utoipa::path(
    get,
    path = "/api/v1/payments/wechat/openid",
    tag = "diner",
    params(
        ("order_id" = String, Query, description = "The order the diner is paying"),
        ("code" = Option<String>, Query, description = "WeChat's single-use authorisation code"),
        ("state" = Option<String>, Query, description = "The state this server gave, matched with its cookie"),
    ),
    responses(
        (status = 303, description = "To the widget's return URL, with `#wechat_openid=…` or `#wechat_openid_error=state|refused|unreachable|snapshot`"),
        (status = 400, description = "malformed-request: no `order_id`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: JSAPI is not set up here, or not an order id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn wechat_openid(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<OpenidQuery>,
) -> Result<Response, ApiError> {
    let (exchange, order_id) = openid_exchange_for(&state, &query.order_id)?;
    let expected = cookie(&headers, WECHAT_STATE_COOKIE).filter(|value| !value.is_empty());
    let outcome = match (query.code.as_deref(), query.state.as_deref(), expected) {
        (Some(code), Some(given), Some(expected)) if given == expected => {
            exchange.openid(code).await.map_err(|error| {
                tracing::warn!(%error, "WeChat web authorisation gave no openid");
                error.word()
            })
        }
        (None, _, _) => Err("refused"),
        _ => {
            tracing::warn!(
                "WeChat web authorisation returned with a state this browser was not given"
            );
            Err("state")
        }
    };
    let mut response = Redirect::to(&exchange.back_to_widget(order_id, &outcome)).into_response();
    response
        .headers_mut()
        .insert(SET_COOKIE, state_cookie(&state, None));
    Ok(response)
}
