//! The table's shared cart (多人点餐, issue 18): every phone that scanned
//! the table's code pushes its changes here, hears the cart live, and any
//! of them sends a round to the kitchen (送厨房). The rules are
//! `wendan_tablecart`'s; this is the HTTP adapter: it checks the table's
//! code and the visit, and prices a round exactly as `POST /api/v1/orders`
//! prices an order (`intake::check`), inside the store's commit.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use time::OffsetDateTime;
use tokio_stream::wrappers::{BroadcastStream, IntervalStream};
use wendan_protocol::order::{ClientInfo, OrderMode};
use wendan_protocol::{
    IdempotencyKey, OrderRequest, OrderStatus, PlacedOrder, Problem, ProblemType, TableVisit,
};
use wendan_tablecart::{CartPush, CartState, KEPT_OUTCOMES, Round, RoundPress, RoundSent};

use crate::business_day::business_day;
use crate::idempotency::fingerprint;
use crate::intake::{self, Circumstances};
use crate::json_body::AppJson;
use crate::limits::client_ip::client_ip;
use crate::limits::connections::Peer;
use crate::menu::PublishedMenu;
use crate::problem::ApiError;
use crate::query_string::AppQuery;
use crate::routes::tables::{TableCode, seated_at, visit_at};
use crate::state::AppState;
use crate::storage::carts::{CartWrite, RoundPricer};
use crate::storage::{CartStore, NewOrder, ScopedKey, StorageError, VisitStore};
use crate::tables::DiningTable;
use crate::tables::visits::TableCart as TableCartMode;

/// How often a table's stream looks again without news: a visit that
/// ended (the table cleared on another replica) reaches its phones by then.
const STREAM_RECHECK: Duration = Duration::from_secs(20);

/// `GET /api/v1/tables/{table}/cart?code=…`: the cart of the table's open
/// visit (opened now if a scan may open it, as `POST …/visit`).
#[utoipa::path(
    get,
    path = "/api/v1/tables/{table}/cart",
    tag = "diner",
    params(("table" = String, Path, description = "The table's id, from the QR link"), TableCode),
    responses(
        (status = 200, description = "The open visit's cart", body = CartState),
        (status = 400, description = "malformed-request: no `code`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such table, or the restaurant's tables order phone by phone (`--table-cart per-phone`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "table-code-refused, or table-not-open (staff open the tables here)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn cart(
    State(state): State<AppState>,
    Path(table): Path<String>,
    AppQuery(presented): AppQuery<TableCode>,
) -> Result<Json<CartState>, ApiError> {
    shared_carts(&state)?;
    let table = seated_at(&state, &table, &presented.code).await?;
    let visit = visit_at(&state, &table).await?;
    Ok(Json(read_state(&state, &visit.id).await?))
}

/// `POST /api/v1/tables/{table}/cart`: a phone's next changes, applied
/// each once and in its sequence; the answer to each is in the returned
/// cart's `acks`.
#[utoipa::path(
    post,
    path = "/api/v1/tables/{table}/cart",
    tag = "diner",
    params(("table" = String, Path, description = "The table's id, from the QR link")),
    request_body = CartPush,
    responses(
        (status = 200, description = "The cart after the changes (a change refused by the cart's rules is answered in `cart.acks`, not here)", body = CartState),
        (status = 400, description = "malformed-request: not a push, or more than 32 changes", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such table, or the restaurant's tables order phone by phone (`--table-cart per-phone`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "visit-ended: the table was cleared since this phone's cart was made; start again with the table's visit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "table-code-refused, or table-not-open", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "overloaded: retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn push(
    State(state): State<AppState>,
    Path(table): Path<String>,
    AppJson(push): AppJson<CartPush>,
) -> Result<Json<CartState>, ApiError> {
    shared_carts(&state)?;
    if push.mutations.len() > KEPT_OUTCOMES {
        return Err(ApiError::new(ProblemType::MalformedRequest)
            .detail(format!("push at most {KEPT_OUTCOMES} changes at a time")));
    }
    let table = seated_at(&state, &table, &push.code).await?;
    let visit = the_phones_visit(&state, &table, &push.visit_id).await?;
    let write = state
        .storage
        .change_cart(
            &visit.id,
            push.mutations,
            state.cart_line_ttl_secs,
            OffsetDateTime::now_utc(),
        )
        .await?;
    match write {
        CartWrite::Changed(cart) => Ok(Json(CartState {
            visit_id: visit.id,
            cart: cart.snapshot(),
        })),
        CartWrite::VisitEnded => Err(visit_ended()),
        CartWrite::Round { .. } | CartWrite::Refused(_) => {
            Err(ApiError::new(ProblemType::Internal).detail("the store answered a push as a press"))
        }
    }
}

/// `POST /api/v1/tables/{table}/cart/rounds`: "Send to kitchen" (送厨房).
/// The round on the phone's screen is cut once, however many phones press
/// and however often: the cut and its order commit together.
#[utoipa::path(
    post,
    path = "/api/v1/tables/{table}/cart/rounds",
    tag = "diner",
    params(("table" = String, Path, description = "The table's id, from the QR link")),
    request_body = RoundPress,
    responses(
        (status = 200, description = "What happened to the round (`outcome`: sent, already_sent, empty, not_yet, unknown_round, invalid), with its order when one was cut", body = RoundSent),
        (status = 400, description = "malformed-request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such table, or the restaurant's tables order phone by phone (`--table-cart per-phone`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "visit-ended: the table was cleared since this phone's cart was made", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The round cannot be ordered as it is (invalid-order: sold out or off the menu; menu-changed; restaurant-closed), or table-code-refused, or table-not-open: nothing was cut", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "overloaded: retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn send_round(
    State(state): State<AppState>,
    Path(table): Path<String>,
    AppJson(press): AppJson<RoundPress>,
) -> Result<Json<RoundSent>, ApiError> {
    shared_carts(&state)?;
    let table = seated_at(&state, &table, &press.code).await?;
    let visit = the_phones_visit(&state, &table, &press.visit_id).await?;
    let now = OffsetDateTime::now_utc();
    let price = pricer(&state, &table, &press.code, &visit.id, now);
    let write = state
        .storage
        .send_round(
            &visit.id,
            press.request,
            state.cart_line_ttl_secs,
            now,
            price,
        )
        .await?;
    match write {
        CartWrite::Round {
            outcome,
            order,
            cart,
        } => {
            if order.is_some() {
                state.events.board_changed();
            }
            Ok(Json(RoundSent {
                visit_id: visit.id,
                outcome,
                order,
                cart: cart.snapshot(),
            }))
        }
        CartWrite::Refused(problem) => Err(ApiError::from(problem)),
        CartWrite::VisitEnded => Err(visit_ended()),
        CartWrite::Changed(_) => {
            Err(ApiError::new(ProblemType::Internal).detail("the store answered a press as a push"))
        }
    }
}

/// `GET /api/v1/tables/{table}/cart/events?code=…`: the table's cart as
/// Server-Sent Events, one stream per phone for the whole table: a `cart`
/// event (a `CartState`) at once and after every change, from any replica.
#[utoipa::path(
    get,
    path = "/api/v1/tables/{table}/cart/events",
    tag = "diner",
    params(("table" = String, Path, description = "The table's id, from the QR link"), TableCode),
    responses(
        (status = 200, description = "`text/event-stream` of `cart` events, each a CartState", body = CartState, content_type = "text/event-stream"),
        (status = 400, description = "malformed-request: no `code`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not-found: no such table, or the restaurant's tables order phone by phone (`--table-cart per-phone`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "table-code-refused, or table-not-open", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "overloaded: too many open streams; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn cart_events(
    State(state): State<AppState>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    Path(table): Path<String>,
    headers: HeaderMap,
    AppQuery(presented): AppQuery<TableCode>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    shared_carts(&state)?;
    let address = client_ip(peer, &headers, state.trust_forwarded_for);
    let Some(ticket) = state.stream_limits.open(address) else {
        state.metrics.streams_refused.inc();
        return Err(ApiError::new(ProblemType::Overloaded)
            .detail("too many live streams are open; the cart on the phone still stands")
            .retry_after(10));
    };
    let table = seated_at(&state, &table, &presented.code).await?;
    let visit = visit_at(&state, &table).await?;
    // The visit this stream shows: only its news wakes it, not every
    // table's (a push then costs its own table's streams, not the whole
    // restaurant's). A new visit is taken up by the recheck below.
    let watching = Arc::new(std::sync::Mutex::new(visit.id));
    // Subscribed before the first read, so no change falls in between.
    let news = BroadcastStream::new(state.events.subscribe_carts());
    let table_id = table.id;
    let watched = Arc::clone(&watching);
    let wakes = stream::once(std::future::ready(()))
        .chain(news.filter_map(move |news| {
            let wanted = match news {
                Ok(news) => watched
                    .lock()
                    .map(|visit| news.concerns(&visit))
                    .unwrap_or(true),
                // Lagging behind is news too: read the cart again.
                Err(_) => true,
            };
            std::future::ready(wanted.then_some(()))
        }))
        .boxed();
    let recheck = IntervalStream::new(tokio::time::interval_at(
        tokio::time::Instant::now() + STREAM_RECHECK,
        STREAM_RECHECK,
    ))
    .map(|_| ());
    let stopping = state.stopping.clone();
    let mut last_sent: Option<(String, u64)> = None;
    let events = stream::select(wakes, recheck)
        .then(move |()| {
            let state = state.clone();
            let table_id = table_id.clone();
            async move { current_state(&state, &table_id).await }
        })
        .filter_map(move |current| {
            let event = match current {
                Ok(Some(current)) => {
                    let seen = Some((current.visit_id.clone(), current.cart.version));
                    if let Ok(mut visit) = watching.lock()
                        && *visit != current.visit_id
                    {
                        visit.clone_from(&current.visit_id);
                    }
                    (seen != last_sent).then(|| {
                        last_sent = seen;
                        to_sse(&current)
                    })
                }
                Ok(None) => None,
                Err(error) => {
                    tracing::warn!(
                        error = &error as &dyn std::error::Error,
                        "a table's cart could not be read for its stream"
                    );
                    None
                }
            };
            std::future::ready(event)
        })
        .map(move |event| {
            let _held = &ticket;
            Ok(event)
        })
        .take_until(crate::state::stopped(stopping));
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The cart of the table's open visit now, if it has one.
async fn current_state(
    state: &AppState,
    table_id: &str,
) -> Result<Option<CartState>, StorageError> {
    match state.storage.open_visit(table_id).await? {
        Some(visit) => read_state(state, &visit.id).await.map(Some),
        None => Ok(None),
    }
}

/// The visit's cart, with lines past their time swept in the copy shown
/// (the next change stores the sweep).
async fn read_state(state: &AppState, visit_id: &str) -> Result<CartState, StorageError> {
    let mut cart = state
        .storage
        .table_cart(visit_id, state.cart_line_ttl_secs)
        .await?
        .ok_or_else(|| StorageError::NotFound(visit_id.to_owned()))?;
    cart.expire(OffsetDateTime::now_utc());
    Ok(CartState {
        visit_id: visit_id.to_owned(),
        cart: cart.snapshot(),
    })
}

/// The table's open visit, which must be the one the phone's cart is of.
/// Only read: a phone still holding a cleared visit's cart opens nothing
/// (it scans again, which does).
async fn the_phones_visit(
    state: &AppState,
    table: &DiningTable,
    visit_id: &str,
) -> Result<TableVisit, ApiError> {
    match state.storage.open_visit(&table.id).await? {
        Some(visit) if visit.id == visit_id => Ok(visit),
        _ => Err(visit_ended()),
    }
}

/// The shared cart is the restaurant's choice (`--table-cart shared`);
/// otherwise its paths are not there, which is how the widget knows to
/// keep each phone's own cart.
fn shared_carts(state: &AppState) -> Result<(), ApiError> {
    match state.table_cart {
        TableCartMode::Shared => Ok(()),
        TableCartMode::PerPhone => Err(ApiError::new(ProblemType::NotFound)
            .detail("this restaurant's tables order phone by phone (--table-cart per-phone)")),
    }
}

fn visit_ended() -> ApiError {
    ApiError::new(ProblemType::VisitEnded)
        .detail("the table was cleared since this cart was made; the table's cart starts again")
}

fn to_sse(state: &CartState) -> Event {
    Event::default()
        .event("cart")
        .json_data(state)
        .unwrap_or_else(|_| Event::default().comment("unserializable cart"))
}

/// Prices a round as `POST /api/v1/orders` prices an order from the table,
/// keyed by the visit and the round's number, so a round has one order.
fn pricer(
    state: &AppState,
    table: &DiningTable,
    code: &str,
    visit_id: &str,
    now: OffsetDateTime,
) -> RoundPricer {
    let published: Arc<PublishedMenu> = state.menu();
    let paused = state.paused();
    let pays_first = state
        .cashier
        .providers()
        .mode()
        .pays_first(OrderMode::DineIn);
    let (table, code, visit_id) = (table.id.clone(), code.to_owned(), visit_id.to_owned());
    Box::new(move |round: &Round| {
        let request = OrderRequest {
            mode: OrderMode::DineIn,
            table: Some(table.clone()),
            table_code: Some(code),
            pickup_name: None,
            items: round.order_lines(),
            note: None,
            client: ClientInfo {
                device_id: round_device(&visit_id),
                created_at: now,
                sent_at: now,
                menu_version: round
                    .lines
                    .first()
                    .map(|line| line.menu_version.clone())
                    .unwrap_or_default(),
                total_minor: round.total_minor(),
            },
        };
        let taken = intake::check(
            Circumstances {
                menu: &published.menu,
                menu_then: None,
                now,
                paused: paused.as_deref(),
                table_exists: true,
                table_code_matches: true,
                table_open: true,
            },
            &request,
        )?;
        let key =
            IdempotencyKey::new(&format!("table-round-{:04}", round.number)).map_err(|error| {
                Box::new(Problem::new(ProblemType::Internal).with_detail(error.to_string()))
            })?;
        let order = PlacedOrder {
            id: uuid::Uuid::new_v4().simple().to_string(),
            number: 0,
            status: if pays_first {
                OrderStatus::AwaitingPayment
            } else {
                OrderStatus::Received
            },
            mode: OrderMode::DineIn,
            table: Some(table),
            pickup_name: None,
            items: taken.quote.lines,
            note: None,
            total_minor: taken.quote.total_minor,
            currency: published.menu.currency.clone(),
            received_at: now,
            client_created_at: now,
            status_reason: None,
            visit_id: Some(visit_id.clone()),
        };
        Ok(NewOrder {
            key: ScopedKey {
                device_id: request.client.device_id.clone(),
                key,
            },
            fingerprint: fingerprint(&request),
            business_day: business_day(now, published.menu.opening_hours.utc_offset_minutes),
            placed_at: now,
            order,
        })
    })
}

/// The "device" a round's order is keyed under: the visit, since the
/// table, not one phone, places it.
fn round_device(visit_id: &str) -> String {
    format!("visit-{visit_id}")
}
