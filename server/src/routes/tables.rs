//! What a diner's phone asks about its table (the QR link's `?table=` and
//! `?code=`): the table's visit (开台), opened by the first scan, and the
//! visit's bill (买单). The table's current code is the diner's proof of
//! sitting there, as for a dine-in order.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use wendan_payments::bill::TableBill;
use wendan_protocol::limits::is_device_id;
use wendan_protocol::{CallRequest, Problem, ProblemType, ServiceCall, TableVisit, VisitOpener};

use crate::json_body::AppJson;
use crate::problem::ApiError;
use crate::query_string::AppQuery;
use crate::routes::orders::idempotency_key;
use crate::state::AppState;
use crate::storage::visits::{NewCall, new_visit_id};
use crate::storage::{AdminStore, CallStore, OrderStore, VisitStore};
use crate::tables::DiningTable;

/// The table's code, as the QR link carries it.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
pub struct TableCode {
    pub code: String,
}

/// `POST /api/v1/tables/{table}/visit`: the diner scanned the table's code.
/// Opens the table's visit unless one is open (`--table-visits on-scan`),
/// and answers the open visit; with `by-staff`, a table staff have not
/// opened is 422 `table-not-open`.
#[utoipa::path(
    post,
    path = "/api/v1/tables/{table}/visit",
    tag = "diner",
    params(("table" = String, Path, description = "The table's id, from the QR link")),
    request_body = TableCode,
    responses(
        (status = 200, description = "The table's open visit", body = TableVisit),
        (status = 400, description = "malformed-request: not a JSON object with the table's `code`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such table", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "table-code-refused (not the table's current code) or table-not-open (staff open the tables here)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn scan(
    State(state): State<AppState>,
    Path(table): Path<String>,
    AppJson(presented): AppJson<TableCode>,
) -> Result<Json<TableVisit>, ApiError> {
    let table = seated_at(&state, &table, &presented.code).await?;
    Ok(Json(visit_at(&state, &table).await?))
}

/// The table's open visit for a diner who scanned its code: read, and
/// opened only when there is none and a scan may open it. Every page load
/// of a table's link asks, so the common answer (already open) is a read,
/// not a write through the store.
pub(crate) async fn visit_at(
    state: &AppState,
    table: &DiningTable,
) -> Result<TableVisit, ApiError> {
    if let Some(visit) = state.storage.open_visit(&table.id).await? {
        return Ok(visit);
    }
    if !state.visit_opening.scan_opens() {
        return Err(not_open());
    }
    let visit = state
        .storage
        .open_visit_at(&table.id, VisitOpener::Scan, OffsetDateTime::now_utc())
        .await?;
    state.events.board_changed();
    Ok(visit)
}

/// `POST /api/v1/tables/{table}/calls`: 催单 (hurry an order of the table's
/// visit) or 呼叫服务员 (call staff, with a reason). Idempotent by the
/// phone's key, and one open call per reason (and order) per table: five
/// presses, or two phones, are one call, shown once on the kitchen display
/// until staff clear it. A call at a table with no visit opens one, as a
/// scan does (`--table-visits on-scan`).
#[utoipa::path(
    post,
    path = "/api/v1/tables/{table}/calls",
    tag = "diner",
    params(
        ("table" = String, Path, description = "The table's id, from the QR link"),
        ("Idempotency-Key" = String, Header, description = "Made once per press, kept for its retries"),
    ),
    request_body = CallRequest,
    responses(
        (status = 200, description = "The call (the same one for a retry or a repeated press)", body = ServiceCall),
        (status = 400, description = "malformed-request: no device id, or an order named (or not) against the reason; or a missing key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such table, or no such order at this table", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "table-code-refused, or table-not-open (staff open the tables here)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn call_staff(
    State(state): State<AppState>,
    Path(table): Path<String>,
    headers: HeaderMap,
    AppJson(request): AppJson<CallRequest>,
) -> Result<Json<ServiceCall>, ApiError> {
    let key = idempotency_key(&headers)?;
    if !is_device_id(&request.device_id) {
        return Err(ApiError::new(ProblemType::MalformedRequest)
            .detail("device_id: letters, digits, '-' and '_', at most 64"));
    }
    if request.reason.names_an_order() != request.order_id.is_some() {
        return Err(ApiError::new(ProblemType::MalformedRequest)
            .detail("a hurry names the order (order_id); other calls name none"));
    }
    let table = seated_at(&state, &table, &request.code).await?;
    let visit = visit_at(&state, &table).await?;
    if let Some(order_id) = &request.order_id {
        let ours = state
            .storage
            .order(order_id)
            .await?
            .is_some_and(|order| order.visit_id.as_deref() == Some(visit.id.as_str()));
        if !ours {
            return Err(ApiError::new(ProblemType::NotFound)
                .detail("no such order at this table since it was opened"));
        }
    }
    let call = state
        .storage
        .call_staff(NewCall {
            id: new_visit_id(),
            visit_id: visit.id,
            reason: request.reason,
            order_id: request.order_id,
            device_id: request.device_id,
            key: key.as_str().to_owned(),
            at: OffsetDateTime::now_utc(),
        })
        .await?;
    state.events.board_changed();
    Ok(Json(call))
}

/// `GET /api/v1/tables/{table}/bill?code=…`: the open visit's bill, for
/// every phone at the table: what the party ordered and what is owed.
#[utoipa::path(
    get,
    path = "/api/v1/tables/{table}/bill",
    tag = "diner",
    params(
        ("table" = String, Path, description = "The table's id, from the QR link"),
        TableCode,
    ),
    responses(
        (status = 200, description = "The open visit's bill", body = TableBill),
        (status = 400, description = "malformed-request: no `code`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such table, or (tables open on scan) no open visit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "table-code-refused, or table-not-open: staff open the tables here and have not opened this one", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn bill(
    State(state): State<AppState>,
    Path(table): Path<String>,
    AppQuery(presented): AppQuery<TableCode>,
) -> Result<Json<TableBill>, ApiError> {
    let table = seated_at(&state, &table, &presented.code).await?;
    let Some(visit) = state.storage.open_visit(&table.id).await? else {
        return Err(if state.visit_opening.scan_opens() {
            ApiError::new(ProblemType::NotFound)
                .detail("the table has no open visit: nothing was ordered since it was cleared")
        } else {
            not_open()
        });
    };
    Ok(Json(visit_bill(&state, visit).await?))
}

/// The visit's bill as it stands.
pub(crate) async fn visit_bill(state: &AppState, visit: TableVisit) -> Result<TableBill, ApiError> {
    let orders = state.storage.visit_orders(&visit.id).await?;
    Ok(TableBill::new(
        visit,
        orders.into_iter().map(|entry| (entry.order, entry.payment)),
        &state.menu().menu.currency,
    ))
}

/// The table, if `code` is its current code.
pub(crate) async fn seated_at(
    state: &AppState,
    table: &str,
    code: &str,
) -> Result<DiningTable, ApiError> {
    let table = state
        .storage
        .table(table)
        .await?
        .ok_or_else(|| ApiError::new(ProblemType::NotFound).detail("no such table"))?;
    if !table.code_matches(Some(code)) {
        return Err(ApiError::new(ProblemType::TableCodeRefused)
            .detail("not this table's current code; scan the code on the table"));
    }
    Ok(table)
}

fn not_open() -> ApiError {
    ApiError::new(ProblemType::TableNotOpen).detail("the table has no open visit; staff open it")
}
