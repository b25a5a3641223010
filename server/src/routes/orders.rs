//! `POST /api/v1/orders` and `GET /api/v1/orders/{id}`: the diner's side of intake.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use time::OffsetDateTime;
use wendan_protocol::idempotency_key::HEADER as IDEMPOTENCY_KEY;
use wendan_protocol::{
    IdempotencyKey, OrderRequest, OrderStatus, PlacedOrder, Problem, ProblemType,
};

use crate::business_day::business_day;
use crate::dashboard::CountKind;
use crate::idempotency::{self, fingerprint};
use crate::intake::{self, Circumstances};
use crate::limits::client_ip::client_ip;
use crate::limits::connections::Peer;
use crate::metrics::ProblemLabel;
use crate::problem::ApiError;
use crate::state::AppState;
use crate::storage::{
    AdminStore, Created, NewOrder, OrderStore, ScopedKey, StorageError, VisitStore,
};

/// Largest order body accepted; a real order is a few KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[utoipa::path(
    post,
    path = "/api/v1/orders",
    tag = "diner",
    params((
        "Idempotency-Key" = String, Header,
        description = "16–128 of [A-Za-z0-9_-], quoted (structured field) or bare; one per order, reused for its retries; unique per `client.device_id`, so another device's key never names this device's order",
        pattern = r#"^([A-Za-z0-9_-]{16,128}|"[A-Za-z0-9_-]{16,128}")$"#
    )),
    request_body(content = OrderRequest, description = "The order; at most 64 KiB"),
    responses(
        (status = 201, description = "Durably stored. `Location` names it; a replay adds `Idempotent-Replayed: true`", body = PlacedOrder),
        (status = 400, description = "Missing, malformed or repeated key, malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "idempotency-key-in-use: retry unchanged", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "payload-too-large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid-order, order-expired, restaurant-closed, menu-changed, table-code-refused (a dine-in order without its table's current code), table-not-open (`--table-visits by-staff` and staff have not opened the table) or idempotency-key-reused", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "rate-limited: too many new orders from this device or address (only new, valid orders count); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "overloaded: retry after `Retry-After` seconds, plus jitter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_order(
    State(state): State<AppState>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let _permit = state.admission.admit().map_err(|overloaded| {
        state.metrics.shed.inc();
        state
            .intake_counts
            .record(CountKind::Shed, OffsetDateTime::now_utc());
        ApiError::new(ProblemType::Overloaded).retry_after(overloaded.retry_after_secs)
    })?;
    let key = idempotency_key(&headers)?;
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(ProblemType::PayloadTooLarge)
            .detail(format!("an order may be at most {MAX_BODY_BYTES} bytes")),
        _ => ApiError::new(ProblemType::MalformedRequest).detail(rejection.body_text()),
    })?;
    let request: OrderRequest = serde_json::from_slice(&body)
        .map_err(|error| ApiError::new(ProblemType::MalformedRequest).detail(error.to_string()))?;
    let fingerprint = fingerprint(&request);
    let key = ScopedKey {
        device_id: request.client.device_id.clone(),
        key,
    };

    let Some(_claim) = state.in_flight.claim(&key) else {
        state.metrics.conflicts.inc();
        state
            .intake_counts
            .record(CountKind::Conflict, OffsetDateTime::now_utc());
        return Err(ApiError::new(ProblemType::IdempotencyKeyInUse)
            .detail("the first request with this key is still being handled; retry it unchanged"));
    };
    // A retry of an order stored earlier gets its answer again, even if it
    // would not pass today (sold out since, too old by now); it creates
    // nothing, so it costs the device none of its budget.
    if let Some(stored) = state.storage.find_by_key(&key).await? {
        return replay(&state, stored, &fingerprint);
    }
    let now = OffsetDateTime::now_utc();
    let published = state.menu();
    let menu_then = state.menu_version(&request.client.menu_version);
    // The replay above answers a stored order whatever its table's code is
    // now: the code is checked only before an order is stored.
    let table = match intake::table_to_look_up(&request) {
        Some(table) => state.storage.table(table).await?,
        None => None,
    };
    let table_code_matches = table
        .as_ref()
        .is_some_and(|table| table.code_matches(request.table_code.as_deref()));
    // A table staff have not opened takes no order (`--table-visits
    // by-staff`); otherwise the store opens the visit with the order.
    let table_open = match &table {
        Some(table) if !state.visit_opening.scan_opens() => {
            state.storage.open_visit(&table.id).await?.is_some()
        }
        _ => true,
    };
    let paused = state.paused();
    let circumstances = Circumstances {
        menu: &published.menu,
        menu_then: menu_then.as_ref().map(|then| &then.menu),
        now,
        paused: paused.as_deref(),
        table_exists: table.is_some(),
        table_code_matches,
        table_open,
    };
    let taken =
        intake::check(circumstances, &request).map_err(|problem| reject(&state, problem))?;
    // Only a new, valid order counts against the budgets: replays and
    // refusals above create nothing.
    let address = client_ip(peer, &headers, state.trust_forwarded_for);
    if let Err(limited) = state.order_limits.check(address, &key.device_id) {
        state.metrics.rate_limited.inc();
        return Err(ApiError::new(ProblemType::RateLimited)
            .detail("too many new orders from this device or network; try again shortly")
            .retry_after(limited.retry_after_secs));
    }
    // A retry racing this one on another replica is recognised by the store
    // itself, which answers `Existing` for a key it already has.

    let order = PlacedOrder {
        id: new_order_id(),
        number: 0,
        status: if state.cashier.providers().mode().pays_first(request.mode) {
            OrderStatus::AwaitingPayment
        } else {
            OrderStatus::Received
        },
        mode: request.mode,
        table: request.table.map(|table| table.trim().to_owned()),
        pickup_name: request.pickup_name.map(|name| name.trim().to_owned()),
        items: taken.quote.lines,
        note: request.note,
        total_minor: taken.quote.total_minor,
        currency: published.menu.currency.clone(),
        received_at: now,
        client_created_at: request.client.created_at,
        status_reason: None,
        visit_id: None,
    };
    let delivery_delay = (now - taken.placed_at).as_seconds_f64().max(0.0);
    let new = NewOrder {
        key,
        fingerprint: fingerprint.clone(),
        business_day: business_day(now, published.menu.opening_hours.utc_offset_minutes),
        placed_at: taken.placed_at,
        order,
    };
    let created = state.storage.create(new).await.inspect_err(|error| {
        if matches!(error, StorageError::QueueFull) {
            // Shed by the store (its queue or pool was full): also a 503.
            state.metrics.shed.inc();
            state
                .intake_counts
                .record(CountKind::Shed, OffsetDateTime::now_utc());
        }
    })?;
    match created {
        Created::New(stored) => {
            state.metrics.orders_created.inc();
            state.metrics.delivery_delay.observe(delivery_delay);
            idempotency::answer(stored, &fingerprint, false)
        }
        Created::Existing(stored) => replay(&state, stored, &fingerprint),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/orders/{id}",
    tag = "diner",
    params(("id" = String, Path, description = "The order's unguessable id")),
    responses(
        (status = 200, description = "The order with its current status", body = PlacedOrder),
        (status = 404, description = "not-found", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_order(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PlacedOrder>, ApiError> {
    match state.storage.order(&id).await? {
        Some(order) => Ok(Json(order)),
        None => Err(ApiError::new(ProblemType::NotFound).detail("no such order")),
    }
}

/// The request's one key. Two `Idempotency-Key` headers are refused rather
/// than one of them chosen: a proxy that adds one must not decide the order.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<IdempotencyKey, ApiError> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let value = values.next().ok_or_else(|| {
        ApiError::new(ProblemType::IdempotencyKeyMissing)
            .detail("send an Idempotency-Key header, made once per order and kept for its retries")
    })?;
    if values.next().is_some() {
        return Err(ApiError::new(ProblemType::IdempotencyKeyMalformed)
            .detail("send one Idempotency-Key header, not several"));
    }
    let text = value.to_str().map_err(|_| {
        ApiError::new(ProblemType::IdempotencyKeyMalformed).detail("the key is not ASCII")
    })?;
    IdempotencyKey::from_header(text).map_err(|error| {
        ApiError::new(ProblemType::IdempotencyKeyMalformed).detail(error.to_string())
    })
}

fn replay(
    state: &AppState,
    stored: crate::storage::StoredAnswer,
    fingerprint: &str,
) -> Result<Response, ApiError> {
    let answer = idempotency::answer(stored, fingerprint, true);
    match &answer {
        Ok(_) => {
            state.metrics.replays.inc();
            state
                .intake_counts
                .record(CountKind::Replay, OffsetDateTime::now_utc());
        }
        Err(error) => count_rejection(state, &error.problem),
    };
    answer
}

fn reject(state: &AppState, problem: Box<Problem>) -> ApiError {
    count_rejection(state, &problem);
    ApiError::from(problem)
}

fn count_rejection(state: &AppState, problem: &Problem) {
    if let Some(kind) = problem.kind() {
        state
            .metrics
            .rejected
            .get_or_create(&ProblemLabel {
                r#type: kind.slug().to_owned(),
            })
            .inc();
    }
}

/// 122 random bits from the OS: knowing an id is what lets a diner follow
/// an order, so it must not be guessable.
fn new_order_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
