//! `/admin/tables`: define the tables, print their QR codes and give a table
//! a new code (its old printed code stops taking orders); and the same as
//! JSON under `/api/v1/admin/tables` for scripts, each table with its link.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use maud::{Markup, PreEscaped, html};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use wendan_protocol::limits::{MAX_TABLE_CHARS, MAX_TABLE_LABEL_CHARS};

use time::OffsetDateTime;
use wendan_protocol::{Problem, ProblemType, TableVisit, VisitCloser, VisitOpener};

use super::layout::{Section, page, words};
use super::session::{AdminPage, see_other};
use crate::auth::Admin;
use crate::json_body::AnyObject;
use crate::json_body::AppJson;
use crate::language::{self, Language};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::storage::visits::VisitMove;
use crate::storage::{AdminStore, VisitStore};
use crate::tables::{DiningTable, new_code, qr_svg, sort};

/// A table as the admin API lists it: with the link its QR code carries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListedTable {
    #[schema(example = "A12")]
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seats: Option<u16>,
    /// The table's current QR link (`--public-url`, `?table=` and its secret
    /// `&code=`): what to print. After "New code" the old link takes no order.
    #[schema(
        example = "https://order.example.com/?table=A12&code=5f0c2e8a9b7d4c1e8f3a6b2d9c0e7f14"
    )]
    pub url: String,
}

impl ListedTable {
    fn new(state: &AppState, table: DiningTable) -> Self {
        Self {
            url: table.widget_url(&state.public_url),
            id: table.id,
            label: table.label,
            seats: table.seats,
        }
    }
}

async fn sorted_tables(state: &AppState) -> Result<Vec<DiningTable>, ApiError> {
    let mut tables = state.storage.tables().await?;
    sort(&mut tables);
    Ok(tables)
}

/// `GET /api/v1/admin/tables`
#[utoipa::path(
    get,
    path = "/api/v1/admin/tables",
    tag = "admin",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Every table, in staff order (A2 before A10), with its QR link", body = Vec<ListedTable>),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    _admin: Admin,
    State(state): State<AppState>,
) -> Result<Json<Vec<ListedTable>>, ApiError> {
    let tables = sorted_tables(&state).await?;
    Ok(Json(
        tables
            .into_iter()
            .map(|table| ListedTable::new(&state, table))
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TableFields {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub seats: Option<u16>,
}

/// `PUT /api/v1/admin/tables/{id}`
#[utoipa::path(
    put,
    path = "/api/v1/admin/tables/{id}",
    tag = "admin",
    security(("admin_token" = [])),
    params(("id" = String, Path, description = "The table's id, as `?table=` will carry it")),
    request_body = TableFields,
    responses(
        (status = 200, description = "Created or replaced (a replaced table keeps its code)", body = ListedTable),
        (status = 400, description = "malformed-request: not a JSON table", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid-order: the id or a field breaks a rule", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put(
    _admin: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(object): AppJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<ListedTable>, ApiError> {
    // Read through a JSON object first: serde would also take the fields
    // from an array (`[null, null]`), which the API does not document.
    let fields: TableFields = serde_json::from_value(object.into())
        .map_err(|error| ApiError::new(ProblemType::MalformedRequest).detail(error.to_string()))?;
    let table = DiningTable {
        id,
        label: fields.label,
        seats: fields.seats,
        code: String::new(),
    }
    .checked()
    .map_err(|error| ApiError::new(ProblemType::InvalidOrder).detail(error.to_string()))?;
    state.storage.put_table(table.clone()).await?;
    // Read back for the code the database made or kept.
    let stored = state.storage.table(&table.id).await?.ok_or_else(|| {
        ApiError::new(ProblemType::NotFound)
            .detail(format!("table {} was deleted meanwhile", table.id))
    })?;
    Ok(Json(ListedTable::new(&state, stored)))
}

/// `POST /api/v1/admin/tables/{id}/code`
#[utoipa::path(
    post,
    path = "/api/v1/admin/tables/{id}/code",
    tag = "admin",
    security(("admin_token" = [])),
    params(("id" = String, Path, description = "The table's id")),
    request_body(content = Object, description = "`{}`: like every write, JSON from the same origin or a script"),
    responses(
        (status = 200, description = "The table with its new code's link: the old link takes no more orders", body = ListedTable),
        (status = 400, description = "malformed-request: the body is not a JSON object", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn new_code_api(
    _admin: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(_): AppJson<AnyObject>,
) -> Result<Json<ListedTable>, ApiError> {
    let table = replace_code(&state, &id)
        .await?
        .ok_or_else(|| ApiError::new(ProblemType::NotFound).detail(format!("no table {id}")))?;
    Ok(Json(ListedTable::new(&state, table)))
}

/// Gives table `id` a new code; the table as it is now, if there is one.
async fn replace_code(state: &AppState, id: &str) -> Result<Option<DiningTable>, ApiError> {
    let code = new_code().map_err(|error| {
        ApiError::new(ProblemType::Internal).detail(format!("no random source: {error}"))
    })?;
    if !state.storage.new_table_code(id, &code).await? {
        return Ok(None);
    }
    tracing::info!(table = id, "table given a new code");
    Ok(state.storage.table(id).await?)
}

/// `DELETE /api/v1/admin/tables/{id}`
#[utoipa::path(
    delete,
    path = "/api/v1/admin/tables/{id}",
    tag = "admin",
    security(("admin_token" = [])),
    params(("id" = String, Path, description = "The table's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete(
    _admin: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state.storage.delete_table(&id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(ProblemType::NotFound).detail(format!("no table {id}")))
    }
}

#[derive(Debug, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// `GET /admin/tables`: the table list, a form, and the printable QR sheet.
pub async fn page_get(
    _admin: AdminPage,
    State(state): State<AppState>,
    Query(query): Query<LangQuery>,
) -> Result<Markup, ApiError> {
    let lang = language::from_query(query.lang.as_deref());
    let tables = sorted_tables(&state).await?;
    let visits = open_visits(&state).await?;
    Ok(render(&state, lang, &tables, &visits, None))
}

/// Each table's open visit, by table.
async fn open_visits(state: &AppState) -> Result<HashMap<String, TableVisit>, ApiError> {
    Ok(state
        .storage
        .open_visits()
        .await?
        .into_iter()
        .map(|open| (open.visit.table.clone(), open.visit))
        .collect())
}

#[derive(Debug, Deserialize)]
pub struct TableForm {
    id: String,
    label: Option<String>,
    seats: Option<String>,
    lang: Option<String>,
}

/// `POST /admin/tables`: the page's add-or-update form.
pub async fn page_put(
    _admin: AdminPage,
    State(state): State<AppState>,
    Form(form): Form<TableForm>,
) -> Result<Response, ApiError> {
    let lang = language::from_query(form.lang.as_deref());
    let seats = match form.seats.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse::<u16>().map(Some),
    };
    let checked = seats
        .map_err(|_| crate::tables::TableError::Seats)
        .and_then(|seats| {
            DiningTable {
                id: form.id,
                label: form.label,
                seats,
                code: String::new(),
            }
            .checked()
        });
    match checked {
        Ok(table) => {
            state.storage.put_table(table).await?;
            Ok(see_other(
                &format!("/admin/tables?lang={}", lang.tag()),
                None,
            ))
        }
        Err(error) => {
            let tables = sorted_tables(&state).await?;
            let visits = open_visits(&state).await?;
            let body = render(&state, lang, &tables, &visits, Some(&error.to_string()));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
        }
    }
}

/// `POST /admin/tables/{id}/new-code`: the page's "New code", after which
/// the sheet shows the table's new QR code to print.
pub async fn page_new_code(
    _admin: AdminPage,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(query): Form<LangQuery>,
) -> Result<Response, ApiError> {
    replace_code(&state, &id).await?;
    let lang = language::from_query(query.lang.as_deref());
    Ok(see_other(
        &format!("/admin/tables?lang={}#qr-{id}", lang.tag()),
        None,
    ))
}

/// `POST /admin/tables/{id}/open`: the page's "Open a table" (开台), as on
/// the kitchen display.
pub async fn page_open(
    _admin: AdminPage,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(query): Form<LangQuery>,
) -> Result<Response, ApiError> {
    if state.storage.table(&id).await?.is_none() {
        return Err(ApiError::new(ProblemType::NotFound).detail("no such table"));
    }
    state
        .storage
        .open_visit_at(&id, VisitOpener::Staff, OffsetDateTime::now_utc())
        .await?;
    state.events.board_changed();
    Ok(back_to_tables(&query))
}

/// `POST /admin/tables/{id}/clear`: the page's "Clear table" (清台) for the
/// table's open visit, as on the kitchen display.
pub async fn page_clear(
    _admin: AdminPage,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(query): Form<LangQuery>,
) -> Result<Response, ApiError> {
    if let Some(visit) = state.storage.open_visit(&id).await? {
        state
            .storage
            .close_visit(&visit.id, VisitCloser::Staff, OffsetDateTime::now_utc())
            .await?;
        state.events.board_changed();
    }
    Ok(back_to_tables(&query))
}

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    to: String,
    lang: Option<String>,
}

/// `POST /admin/tables/{id}/move`: the page's "Move" (换桌) of the table's
/// party to a free table, as on the kitchen display. A table with its own
/// party is refused on the page, in its language.
pub async fn page_move(
    _admin: AdminPage,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, ApiError> {
    let query = LangQuery { lang: form.lang };
    let lang = language::from_query(query.lang.as_deref());
    let to = form.to.trim();
    let refusal = match state.storage.open_visit(&id).await? {
        None => Some(lang.kitchen().tables.none_open),
        Some(_) if state.storage.table(to).await?.is_none() => Some(words(lang).no_such_table),
        Some(visit) => match state.storage.move_visit(&visit.id, to).await? {
            VisitMove::Moved => None,
            VisitMove::TableTaken => Some(lang.kitchen().tables.table_taken),
            VisitMove::NotOpen => Some(lang.kitchen().tables.none_open),
        },
    };
    if let Some(refusal) = refusal {
        let tables = sorted_tables(&state).await?;
        let visits = open_visits(&state).await?;
        let body = render(&state, lang, &tables, &visits, Some(refusal));
        return Ok((StatusCode::CONFLICT, body).into_response());
    }
    state.events.board_changed();
    Ok(back_to_tables(&query))
}

/// `POST /admin/tables/{id}/delete`
pub async fn page_delete(
    _admin: AdminPage,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(query): Form<LangQuery>,
) -> Result<Response, ApiError> {
    state.storage.delete_table(&id).await?;
    Ok(back_to_tables(&query))
}

fn render(
    state: &AppState,
    lang: Language,
    tables: &[DiningTable],
    visits: &HashMap<String, TableVisit>,
    error: Option<&str>,
) -> Markup {
    let words = words(lang);
    let visit_words = &lang.kitchen().tables;
    let offset = state.menu().menu.opening_hours.utc_offset_minutes;
    let body = html! {
        section class="no-print" {
            h1 { (words.tables) }
            form class="table-form" method="post" action="/admin/tables" {
                h2 { (words.add_table) }
                @if let Some(error) = error {
                    p class="error" role="alert" { (error) }
                }
                label { (words.table_id) input name="id" required maxlength=(MAX_TABLE_CHARS) pattern="[A-Za-z0-9_\\-]+" placeholder="A12"; }
                label { (words.label) input name="label" maxlength=(MAX_TABLE_LABEL_CHARS); }
                label { (words.seats) input name="seats" type="number" min="1" max="100"; }
                input type="hidden" name="lang" value=(lang.tag());
                button type="submit" { (words.add_table) }
            }
            @if tables.is_empty() {
                p { (words.no_tables) }
            } @else {
                table class="tables" {
                    thead { tr { th { (words.table_id) } th { (words.label) } th { (words.seats) } th { (visit_words.open_since) } th {} } }
                    tbody {
                        @for table in tables {
                            tr {
                                td { (table.id) }
                                td { (table.label.as_deref().unwrap_or("")) }
                                td { @if let Some(seats) = table.seats { (seats) } }
                                td class="visit" data-open=(visits.contains_key(&table.id)) {
                                    @if let Some(visit) = visits.get(&table.id) {
                                        (local_time(visit.opened_at, offset)) " "
                                        form method="post" action={ "/admin/tables/" (table.id) "/clear" } {
                                            input type="hidden" name="lang" value=(lang.tag());
                                            button type="submit" class="link" { (visit_words.clear) " " (table.id) }
                                        }
                                        form class="move" method="post" action={ "/admin/tables/" (table.id) "/move" } {
                                            input type="hidden" name="lang" value=(lang.tag());
                                            label {
                                                (visit_words.move_where) " "
                                                input name="to" required maxlength=(MAX_TABLE_CHARS) size="4";
                                            }
                                            button type="submit" class="link" { (visit_words.move_to) " " (table.id) }
                                        }
                                    } @else {
                                        form method="post" action={ "/admin/tables/" (table.id) "/open" } {
                                            input type="hidden" name="lang" value=(lang.tag());
                                            button type="submit" class="link" { (visit_words.open_table) " " (table.id) }
                                        }
                                    }
                                }
                                td class="actions" {
                                    form method="post" action={ "/admin/tables/" (table.id) "/new-code" } {
                                        input type="hidden" name="lang" value=(lang.tag());
                                        button type="submit" class="link" { (words.new_code) " " (table.id) }
                                    }
                                    form method="post" action={ "/admin/tables/" (table.id) "/delete" } {
                                        input type="hidden" name="lang" value=(lang.tag());
                                        button type="submit" class="link" { (words.delete) " " (table.id) }
                                    }
                                }
                            }
                        }
                    }
                }
                p class="hint" { (words.print_hint) }
                p class="hint" { (words.new_code_hint) }
            }
        }
        @if !tables.is_empty() {
            section class="qr-sheet" aria-label=(words.tables) {
                @for table in tables {
                    @let url = table.widget_url(&state.public_url);
                    figure class="qr-card" id={ "qr-" (table.id) } data-table=(table.id) {
                        @match qr_svg(&url, &format!("{} {}: {url}", words.qr_code, table.id)) {
                            Ok(svg) => (PreEscaped(svg)),
                            Err(error) => p class="error" { (error.to_string()) },
                        }
                        figcaption {
                            strong class="qr-table" { (table.id) }
                            @if let Some(label) = &table.label { span class="qr-label" { (label) } }
                            span class="qr-cta" { (words.scan_to_order) }
                            a class="qr-url" href=(url) { (url) }
                        }
                    }
                }
            }
        }
    };
    page(lang, Section::Tables, words.tables, "", body)
}

/// `hh:mm` in the restaurant's offset (`opening_hours.utc_offset_minutes`).
fn local_time(at: OffsetDateTime, offset_minutes: i16) -> String {
    let local = at + time::Duration::minutes(i64::from(offset_minutes));
    format!("{:02}:{:02}", local.hour(), local.minute())
}

/// After a form on the page: back to it, in its language.
fn back_to_tables(query: &LangQuery) -> Response {
    let lang = language::from_query(query.lang.as_deref());
    see_other(&format!("/admin/tables?lang={}", lang.tag()), None)
}
