//! The payment routes: the diner's "Pay" and payment status, the providers'
//! notifications, and staff settling at the counter. The rules are the
//! cashier's (`crate::cashier`); these are thin adapters.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use wendan_payments::{Payment, PaymentState};
use wendan_protocol::{OrderStatus, ProblemType};

use super::orders::idempotency_key;
use crate::auth::Kitchen;
use crate::cashier::CashierError;
use crate::json_body::AppJson;
use crate::payments::{Channel, Handoff, ProviderId};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::storage::OrderStore;
use crate::storage::payments::StoredPayment;

/// "Pay": how the diner wants to pay.
#[derive(Debug, Deserialize)]
pub struct PayRequest {
    #[serde(flatten)]
    pub channel: Channel,
}

/// An order's payment as the diner's page shows it.
#[derive(Debug, Serialize)]
pub struct PaymentView {
    pub order_id: String,
    /// The automation contract's word (`data-payment`): `unpaid`,
    /// `pending`, `paid`, `failed`, `refunded` or `counter`.
    pub payment: &'static str,
    /// The stored state, finer than the contract's word.
    pub state: PaymentState,
    pub order_status: OrderStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderId>,
    /// The provider's transaction reference (or `counter`), once paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Every online provider is the payment sandbox: no real money.
    pub sandbox: bool,
}

/// The answer to "Pay": the payment, and how the page continues.
#[derive(Debug, Serialize)]
pub struct PayAnswer {
    #[serde(flatten)]
    pub view: PaymentView,
    pub handoff: Handoff,
}

/// `POST /api/v1/orders/{id}/payments`: start the order's payment, or
/// resume the one in flight. Asking again (another tab, the service worker,
/// a retry) never makes a second provider payment: the order's payment is
/// the idempotency, and the key is only required so that every client
/// sends its retries the same way.
pub async fn pay(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    AppJson(request): AppJson<PayRequest>,
) -> Result<Json<PayAnswer>, ApiError> {
    idempotency_key(&headers)?;
    let order = state
        .storage
        .order(&id)
        .await?
        .ok_or_else(|| ApiError::new(ProblemType::NotFound).detail("no such order"))?;
    let description = format!("Wendan #{} / 订单 {}", order.number, order.number);
    let started = state
        .cashier
        .pay(&id, request.channel, description, OffsetDateTime::now_utc())
        .await
        .map_err(problem)?;
    Ok(Json(PayAnswer {
        view: view(&state, &id, order.status, &started.payment),
        handoff: started.handoff,
    }))
}

/// `GET /api/v1/orders/{id}/payment`: where the order's payment stands. While
/// its outcome is unknown the server asks the provider first (the diner came
/// back from the provider's page, or is waiting on it).
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
pub async fn settle_at_counter(
    _kitchen: Kitchen,
    State(state): State<AppState>,
    Path(id): Path<String>,
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
pub async fn wechat_notify(state: State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    notified(state, ProviderId::Wechat, headers, body).await
}

pub async fn alipay_notify(state: State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    notified(state, ProviderId::Alipay, headers, body).await
}

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
        Ok(response) => response,
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
    PaymentView {
        order_id: id.to_owned(),
        payment: stored.payment.state.contract_word(),
        state: stored.payment.state,
        order_status,
        provider: stored.provider,
        reference: stored.payment.transaction_reference().map(str::to_owned),
        sandbox: state.cashier.providers().is_sandbox(),
    }
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
fn problem(error: CashierError) -> ApiError {
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
