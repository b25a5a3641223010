//! The kitchen's API: open orders, the display's board, and moving an order along.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use time::OffsetDateTime;
use wendan_payments::PaymentState;
use wendan_payments::bill::TableBill;
use wendan_protocol::limits::{MAX_CANCEL_REASON_CHARS, fits};
use wendan_protocol::money::format_minor;
use wendan_protocol::{OrderStatus, PlacedOrder, Problem, ProblemType, ServiceCall, StatusChange};

use crate::auth::Kitchen;
use crate::json_body::AppJson;
use crate::kitchen::board::{AllDayCount, Ticket, board, seat_moved_parties};
use crate::kitchen::controls::KitchenControls;
use crate::problem::ApiError;
use crate::state::AppState;
use crate::storage::{CallStore, KitchenStore, OrderStore, PaymentStore, VisitStore};

/// `GET /api/v1/kitchen/orders`: every open order, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/kitchen/orders",
    tag = "kitchen",
    security(("kitchen_token" = [])),
    responses(
        (status = 200, description = "Open orders, oldest first", body = Vec<PlacedOrder>),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn open_orders(
    _kitchen: Kitchen,
    State(state): State<AppState>,
) -> Result<Json<Vec<PlacedOrder>>, ApiError> {
    Ok(Json(state.storage.open_orders().await?))
}

/// `POST /api/v1/kitchen/orders/{id}/status`: start, bump, recall, complete
/// or cancel. The change is durable before it is announced to diners.
#[utoipa::path(
    post,
    path = "/api/v1/kitchen/orders/{id}/status",
    tag = "kitchen",
    security(("kitchen_token" = [])),
    params(("id" = String, Path, description = "The order's id")),
    request_body = StatusChange,
    responses(
        (status = 200, description = "The order with its new status", body = PlacedOrder),
        (status = 400, description = "malformed-request: the body is not a JSON status change, or the reason is longer than 200 characters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid-transition", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn change_status(
    _kitchen: Kitchen,
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(change): AppJson<StatusChange>,
) -> Result<Json<PlacedOrder>, ApiError> {
    if change
        .reason
        .as_deref()
        .is_some_and(|reason| !fits(reason, MAX_CANCEL_REASON_CHARS))
    {
        return Err(ApiError::new(ProblemType::MalformedRequest).detail(format!(
            "a reason is at most {MAX_CANCEL_REASON_CHARS} characters: the diner reads it on a phone"
        )));
    }
    let cancelling = change.status == OrderStatus::Cancelled;
    let has_reason = change
        .reason
        .as_deref()
        .is_some_and(|r| !r.trim().is_empty());
    if cancelling && !has_reason {
        return Err(ApiError::new(ProblemType::InvalidTransition)
            .detail("say why the order is cancelled: the diner is told"));
    }
    apply(&state, &id, change).await
}

async fn apply(
    state: &AppState,
    id: &str,
    change: StatusChange,
) -> Result<Json<PlacedOrder>, ApiError> {
    let cancelled = change.status == OrderStatus::Cancelled;
    state.storage.set_status(id, change).await?;
    if cancelled {
        // Money it took goes back, once (the refund has its own number). A
        // failure here is retried by the cashier's sweep, which finds a paid
        // payment of a cancelled order.
        let now = time::OffsetDateTime::now_utc();
        if let Err(error) = state.cashier.refund_cancelled(id, now).await {
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                order_id = id,
                "the refund of a cancelled order did not go through yet"
            );
        }
    }
    let order = state.storage.order(id).await?;
    order
        .map(Json)
        .ok_or_else(|| ApiError::new(ProblemType::NotFound))
}

/// Everything the kitchen display draws, in one snapshot: the display
/// re-reads it after every event and every reconnect, so a ticket is never
/// lost or shown twice whatever the connection did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KitchenBoard {
    /// Open orders, oldest first, with add-on marks and age timers.
    pub tickets: Vec<Ticket>,
    /// Items still to cook across the open tickets, most first.
    pub all_day: Vec<AllDayCount>,
    pub controls: KitchenControls,
    /// The number of the order "undo" would recall, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_bumped: Option<u32>,
    /// The server's clock, so a tablet with a wrong clock still times tickets right.
    #[serde(with = "time::serde::rfc3339")]
    pub server_time: OffsetDateTime,
    /// Pay-first orders waiting for their money, oldest first: for staff
    /// at the counter, not the cooks (a ticket appears once paid).
    pub awaiting_payment: Vec<AwaitingPayment>,
    /// The open tables (开台), longest open first, each with its bill: for
    /// staff seating, moving, settling and clearing parties.
    pub tables: Vec<TableBill>,
    /// Tables' calls (催单, 呼叫服务员) not yet answered, oldest first.
    pub calls: Vec<ServiceCall>,
}

/// A pay-first order not yet paid, as the counter sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AwaitingPayment {
    pub order_id: String,
    pub number: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pickup_name: Option<String>,
    /// The total as the diner saw it (`¥26.00`).
    pub total: String,
    /// The automation contract's word: `unpaid`, `pending`, `failed`, `counter`.
    pub payment: &'static str,
    /// The page's word for it (a key of the kitchen's page words).
    pub says: &'static str,
    /// Whether staff may take the money now: not while the diner pays online.
    pub can_settle: bool,
}

impl AwaitingPayment {
    fn of(order: &PlacedOrder, payment: PaymentState) -> Self {
        AwaitingPayment {
            order_id: order.id.clone(),
            number: order.number,
            table: order.table.clone(),
            pickup_name: order.pickup_name.clone(),
            total: format_minor(order.total_minor, &order.currency),
            payment: payment.contract_word(),
            says: match payment {
                PaymentState::Pending => "payingOnline",
                PaymentState::Counter => "paysAtCounter",
                _ => "notPaid",
            },
            can_settle: payment.can_settle_at_counter(),
        }
    }
}

/// The orders waiting for payment, with their payments, in one read: every
/// display re-reads the board on every event, and a lunch rush of pay-first
/// orders is when that happens most.
async fn awaiting_payment(state: &AppState) -> Result<Vec<AwaitingPayment>, ApiError> {
    Ok(state
        .storage
        .awaiting_payment()
        .await?
        .iter()
        .map(|entry| {
            let payment = entry.payment.unwrap_or(PaymentState::Unpaid);
            AwaitingPayment::of(&entry.order, payment)
        })
        .collect())
}

/// `GET /api/v1/kitchen/board`: the display's snapshot.
#[utoipa::path(
    get,
    path = "/api/v1/kitchen/board",
    tag = "kitchen",
    security(("kitchen_token" = [])),
    responses(
        (status = 200, description = "Tickets, all-day counts and switches", body = KitchenBoard),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn kitchen_board(
    _kitchen: Kitchen,
    State(state): State<AppState>,
) -> Result<Json<KitchenBoard>, ApiError> {
    let now = OffsetDateTime::now_utc();
    let orders = state.storage.open_orders().await?;
    let last_bumped = state.storage.last_bumped().await?;
    let awaiting_payment = awaiting_payment(&state).await?;
    let open_visits = state.storage.open_visits().await?;
    let mut board = board(orders, state.age_thresholds);
    seat_moved_parties(&mut board, open_visits.iter().map(|open| &open.visit));
    let calls = state.storage.open_calls().await?;
    let currency = state.menu().menu.currency.clone();
    let tables = open_visits
        .into_iter()
        .map(|open| {
            let orders = open
                .orders
                .into_iter()
                .map(|entry| (entry.order, entry.payment));
            TableBill::new(open.visit, orders, &currency)
        })
        .collect();
    let last_bumped = last_bumped.and_then(|id| {
        board
            .tickets
            .iter()
            .find(|ticket| ticket.order.id == id)
            .map(|ticket| ticket.order.number)
    });
    Ok(Json(KitchenBoard {
        tickets: board.tickets,
        all_day: board.all_day,
        controls: state.controls(),
        last_bumped,
        server_time: now,
        awaiting_payment,
        tables,
        calls,
    }))
}

/// `POST /api/v1/kitchen/undo`: recalls the most recently bumped order that
/// is still ready (back to preparing). From any display, after a reload too.
#[utoipa::path(
    post,
    path = "/api/v1/kitchen/undo",
    tag = "kitchen",
    security(("kitchen_token" = [])),
    responses(
        (status = 200, description = "The recalled order", body = PlacedOrder),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid-transition: no bumped order to recall", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn undo_bump(
    _kitchen: Kitchen,
    State(state): State<AppState>,
) -> Result<Json<PlacedOrder>, ApiError> {
    let Some(id) = state.storage.last_bumped().await? else {
        return Err(ApiError::new(ProblemType::InvalidTransition)
            .detail("no bumped order is waiting at the pass to recall"));
    };
    let recall = StatusChange {
        status: OrderStatus::Preparing,
        reason: None,
    };
    apply(&state, &id, recall).await
}
