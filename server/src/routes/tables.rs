//! What a diner's phone asks about its table (the QR link's `?table=` and
//! `?code=`): the table's visit (开台), opened by the first scan, and the
//! visit's bill (买单). The table's current code is the diner's proof of
//! sitting there, as for a dine-in order.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use wendan_payments::bill::TableBill;
use wendan_protocol::{Problem, ProblemType, TableVisit, VisitOpener};

use crate::json_body::AppJson;
use crate::problem::ApiError;
use crate::state::AppState;
use crate::storage::{AdminStore, VisitStore};
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
    if !state.visit_opening.scan_opens() {
        return state
            .storage
            .open_visit(&table.id)
            .await?
            .map(Json)
            .ok_or_else(not_open);
    }
    let visit = state
        .storage
        .open_visit_at(&table.id, VisitOpener::Scan, OffsetDateTime::now_utc())
        .await?;
    state.events.board_changed();
    Ok(Json(visit))
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
        (status = 404, description = "not-found: no such table, or (tables open on scan) no open visit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "table-code-refused, or table-not-open: staff open the tables here and have not opened this one", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn bill(
    State(state): State<AppState>,
    Path(table): Path<String>,
    Query(presented): Query<TableCode>,
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
async fn seated_at(state: &AppState, table: &str, code: &str) -> Result<DiningTable, ApiError> {
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
