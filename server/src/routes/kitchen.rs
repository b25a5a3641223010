//! The kitchen's API: open orders, and moving an order along.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use wendan_protocol::{OrderStatus, PlacedOrder, Problem, ProblemType, StatusChange};

use crate::auth::Kitchen;
use crate::problem::ApiError;
use crate::state::AppState;

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
        (status = 400, description = "malformed-request: the body is not a JSON status change", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid-transition", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn change_status(
    _kitchen: Kitchen,
    State(state): State<AppState>,
    Path(id): Path<String>,
    change: Result<Json<StatusChange>, JsonRejection>,
) -> Result<Json<PlacedOrder>, ApiError> {
    let Json(change) = change.map_err(|rejection| {
        ApiError::new(ProblemType::MalformedRequest).detail(rejection.body_text())
    })?;
    let cancelling = change.status == OrderStatus::Cancelled;
    let has_reason = change
        .reason
        .as_deref()
        .is_some_and(|r| !r.trim().is_empty());
    if cancelling && !has_reason {
        return Err(ApiError::new(ProblemType::InvalidTransition)
            .detail("say why the order is cancelled: the diner is told"));
    }
    state.storage.set_status(&id, change).await?;
    let order = state.storage.order(&id).await?;
    order
        .map(Json)
        .ok_or_else(|| ApiError::new(ProblemType::NotFound))
}
