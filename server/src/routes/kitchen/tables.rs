//! The open tables on the kitchen display (also the counter's view): open a
//! table as a party is seated, move a party (换桌), settle its bill at the
//! counter, clear the table (清台). Each change reaches every display.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use wendan_payments::bill::TableBill;
use wendan_protocol::{Problem, ProblemType, TableVisit, VisitCloser, VisitOpener};

use crate::auth::Kitchen;
use crate::json_body::AnyObject;
use crate::json_body::AppJson;
use crate::problem::ApiError;
use crate::routes::payments::problem as cashier_problem;
use crate::routes::tables::visit_bill;
use crate::state::AppState;
use crate::storage::visits::VisitMove;
use crate::storage::{AdminStore, CallStore, VisitStore};

/// Where a party moves to.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveTo {
    pub table: String,
}

/// `POST /api/v1/kitchen/tables/{table}/open`: staff seat a party (开台).
/// Opening an open table answers its visit.
#[utoipa::path(
    post,
    path = "/api/v1/kitchen/tables/{table}/open",
    tag = "kitchen",
    security(("kitchen_token" = [])),
    params(("table" = String, Path, description = "The table's id")),
    request_body(content = Object, description = "`{}`"),
    responses(
        (status = 200, description = "The table's open visit", body = TableVisit),
        (status = 400, description = "malformed-request: the body is not a JSON object", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such table", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn open_table(
    _kitchen: Kitchen,
    State(state): State<AppState>,
    Path(table): Path<String>,
    AppJson(_): AppJson<AnyObject>,
) -> Result<Json<TableVisit>, ApiError> {
    if state.storage.table(&table).await?.is_none() {
        return Err(ApiError::new(ProblemType::NotFound).detail("no such table"));
    }
    let visit = state
        .storage
        .open_visit_at(&table, VisitOpener::Staff, OffsetDateTime::now_utc())
        .await?;
    state.events.board_changed();
    Ok(Json(visit))
}

/// `POST /api/v1/kitchen/visits/{id}/clear`: the party left (清台); the
/// table's next scan starts a new visit. What they still owed stays on
/// the closed visit's orders for the dashboard, not on the next party.
#[utoipa::path(
    post,
    path = "/api/v1/kitchen/visits/{id}/clear",
    tag = "kitchen",
    security(("kitchen_token" = [])),
    params(("id" = String, Path, description = "The visit's id")),
    request_body(content = Object, description = "`{}`"),
    responses(
        (status = 204, description = "Cleared (or it was already)"),
        (status = 400, description = "malformed-request: the body is not a JSON object", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such visit", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn clear(
    _kitchen: Kitchen,
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(_): AppJson<AnyObject>,
) -> Result<StatusCode, ApiError> {
    if state.storage.visit(&id).await?.is_none() {
        return Err(ApiError::new(ProblemType::NotFound).detail("no such visit"));
    }
    state
        .storage
        .close_visit(&id, VisitCloser::Staff, OffsetDateTime::now_utc())
        .await?;
    state.events.board_changed();
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/kitchen/visits/{id}/move`: the party moves to another
/// table (换桌), with its orders and bill. A table with its own party is
/// refused: two parties are never merged by a move.
#[utoipa::path(
    post,
    path = "/api/v1/kitchen/visits/{id}/move",
    tag = "kitchen",
    security(("kitchen_token" = [])),
    params(("id" = String, Path, description = "The visit's id")),
    request_body = MoveTo,
    responses(
        (status = 200, description = "The visit at its new table", body = TableVisit),
        (status = 400, description = "malformed-request: not a JSON object with the `table`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such table", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid-transition: the visit is closed, or the table has its own party", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn move_to(
    _kitchen: Kitchen,
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(to): AppJson<MoveTo>,
) -> Result<Json<TableVisit>, ApiError> {
    if state.storage.table(&to.table).await?.is_none() {
        return Err(ApiError::new(ProblemType::NotFound).detail("no such table"));
    }
    match state.storage.move_visit(&id, &to.table).await? {
        VisitMove::Moved => {}
        VisitMove::NotOpen => {
            return Err(ApiError::new(ProblemType::InvalidTransition)
                .detail("the visit is not open: the party left"));
        }
        VisitMove::TableTaken => {
            return Err(ApiError::new(ProblemType::InvalidTransition)
                .detail("that table has its own party: clear it first"));
        }
    }
    state.events.board_changed();
    let visit = state
        .storage
        .visit(&id)
        .await?
        .ok_or_else(|| ApiError::new(ProblemType::NotFound).detail("no such visit"))?;
    Ok(Json(visit))
}

/// `POST /api/v1/kitchen/visits/{id}/settle`: staff took what the party
/// owed at the counter (cash or the card terminal): each owed order is
/// settled through the cashier, as "Paid at the counter" settles one, and
/// then the table is cleared. If a diner is paying one of them online, it
/// is refused (409) before anything is settled: taking money twice is the
/// failure this prevents.
#[utoipa::path(
    post,
    path = "/api/v1/kitchen/visits/{id}/settle",
    tag = "kitchen",
    security(("kitchen_token" = [])),
    params(("id" = String, Path, description = "The visit's id")),
    request_body(content = Object, description = "`{}`"),
    responses(
        (status = 200, description = "The bill as settled; the table is cleared", body = TableBill),
        (status = 400, description = "malformed-request: the body is not a JSON object", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such visit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "payment-refused: a diner is paying one of the orders online; invalid-transition: the visit is closed", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn settle(
    _kitchen: Kitchen,
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(_): AppJson<AnyObject>,
) -> Result<Json<TableBill>, ApiError> {
    let visit = state
        .storage
        .visit(&id)
        .await?
        .ok_or_else(|| ApiError::new(ProblemType::NotFound).detail("no such visit"))?;
    if !visit.is_open() {
        return Err(ApiError::new(ProblemType::InvalidTransition)
            .detail("the visit is closed: its bill was settled or the table cleared"));
    }
    let bill = visit_bill(&state, visit).await?;
    if let Some(paying) = bill.owed().find(|order| {
        order
            .payment
            .is_some_and(|state| !state.can_settle_at_counter())
    }) {
        return Err(ApiError::new(ProblemType::PaymentRefused).detail(format!(
            "order #{} is being paid online; settle once that payment is known",
            paying.number
        )));
    }
    let now = OffsetDateTime::now_utc();
    for order in bill.owed() {
        state
            .cashier
            .settle_at_counter(&order.order_id, "kitchen", now)
            .await
            .map_err(cashier_problem)?;
    }
    state
        .storage
        .close_visit(&id, VisitCloser::Bill, now)
        .await?;
    state.events.board_changed();
    let settled = state
        .storage
        .visit(&id)
        .await?
        .ok_or_else(|| ApiError::new(ProblemType::NotFound).detail("no such visit"))?;
    Ok(Json(visit_bill(&state, settled).await?))
}

/// `POST /api/v1/kitchen/calls/{id}/clear`: staff answered a table's call
/// (brought the water, chased the order); every display drops it.
#[utoipa::path(
    post,
    path = "/api/v1/kitchen/calls/{id}/clear",
    tag = "kitchen",
    security(("kitchen_token" = [])),
    params(("id" = String, Path, description = "The call's id")),
    request_body(content = Object, description = "`{}`"),
    responses(
        (status = 204, description = "Cleared (or it was already)"),
        (status = 400, description = "malformed-request: the body is not a JSON object", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn clear_call(
    _kitchen: Kitchen,
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(_): AppJson<AnyObject>,
) -> Result<StatusCode, ApiError> {
    if state
        .storage
        .clear_call(&id, OffsetDateTime::now_utc())
        .await?
    {
        state.events.board_changed();
    }
    Ok(StatusCode::NO_CONTENT)
}
