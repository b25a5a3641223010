//! The kitchen's switches: pause intake, mark items sold out. Each change is
//! durable before it is answered, and this replica obeys it before answering.

use axum::Json;
use axum::extract::{Path, State};
use wendan_protocol::{Problem, ProblemType};

use crate::auth::Kitchen;
use crate::json_body::AppJson;
use crate::kitchen::controls::{IntakeChange, KitchenControls, SoldOutChange};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::storage::{ControlChange, KitchenStore};

/// `PUT /api/v1/kitchen/intake`: while paused, new orders are answered
/// 422 `restaurant-closed` with the message.
#[utoipa::path(
    put,
    path = "/api/v1/kitchen/intake",
    tag = "kitchen",
    security(("kitchen_token" = [])),
    request_body = IntakeChange,
    responses(
        (status = 200, description = "The switches now", body = KitchenControls),
        (status = 400, description = "malformed-request: no message, or too long", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_intake(
    _kitchen: Kitchen,
    State(state): State<AppState>,
    AppJson(change): AppJson<IntakeChange>,
) -> Result<Json<KitchenControls>, ApiError> {
    let message = change
        .paused_message()
        .map_err(|error| ApiError::new(ProblemType::MalformedRequest).detail(error.to_string()))?;
    match &message {
        Some(_) => tracing::warn!("the kitchen paused intake"),
        None => tracing::info!("the kitchen resumed intake"),
    }
    commit(&state, ControlChange::Pause(message)).await
}

/// `PUT /api/v1/kitchen/items/{id}/sold-out`: the menu gets a new version,
/// which widgets fetch on their next menu refresh.
#[utoipa::path(
    put,
    path = "/api/v1/kitchen/items/{id}/sold-out",
    tag = "kitchen",
    security(("kitchen_token" = [])),
    params(("id" = String, Path, description = "The menu item's id")),
    request_body = SoldOutChange,
    responses(
        (status = 200, description = "The switches now", body = KitchenControls),
        (status = 400, description = "malformed-request: not a JSON change", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such item on the menu", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_sold_out(
    _kitchen: Kitchen,
    State(state): State<AppState>,
    Path(item_id): Path<String>,
    AppJson(change): AppJson<SoldOutChange>,
) -> Result<Json<KitchenControls>, ApiError> {
    let known = state
        .menu()
        .menu
        .items
        .iter()
        .any(|item| item.id == item_id);
    if !known {
        return Err(ApiError::new(ProblemType::NotFound).detail("no such item on the menu"));
    }
    let change = ControlChange::SoldOut {
        item_id,
        sold_out: change.sold_out,
    };
    commit(&state, change).await
}

async fn commit(
    state: &AppState,
    change: ControlChange,
) -> Result<Json<KitchenControls>, ApiError> {
    state.storage.change_controls(change).await?;
    Ok(Json(state.reload_controls().await?))
}
