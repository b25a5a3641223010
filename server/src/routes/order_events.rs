//! `GET /api/v1/orders/{id}/events`: an order's status changes as
//! Server-Sent Events. Each event's `id` is its sequence number, so a
//! reconnecting `EventSource` sends `Last-Event-ID` and gets exactly what it
//! missed, from the database, before the live events.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;
use wendan_protocol::{Problem, ProblemType, StatusUpdate};

use crate::limits::client_ip::client_ip;
use crate::limits::connections::Peer;
use crate::problem::ApiError;
use crate::state::AppState;
use crate::storage::{OrderStore, StatusEvent};

#[utoipa::path(
    get,
    path = "/api/v1/orders/{id}/events",
    tag = "diner",
    params(
        ("id" = String, Path, description = "The order's id"),
        ("Last-Event-ID" = Option<i64>, Header, description = "Resume after this event"),
    ),
    responses(
        (status = 200, description = "`text/event-stream` of `status` events, each a StatusUpdate", body = StatusUpdate, content_type = "text/event-stream"),
        (status = 404, description = "not-found", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "overloaded: too many open streams; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn order_events(
    State(state): State<AppState>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let address = client_ip(peer, &headers, state.trust_forwarded_for);
    let Some(ticket) = state.stream_limits.open(address) else {
        state.metrics.streams_refused.inc();
        return Err(ApiError::new(ProblemType::Overloaded)
            .detail("too many live status streams are open; the last known status still stands")
            .retry_after(STREAM_RETRY_AFTER_SECS));
    };
    if state.storage.order(&id).await?.is_none() {
        return Err(ApiError::new(ProblemType::NotFound).detail("no such order"));
    }
    let after = last_event_id(&headers);
    // Subscribe before reading the backlog, so nothing falls in between.
    let live = BroadcastStream::new(state.events.subscribe());
    let backlog = state.storage.events_after(&id, after).await?;
    let mut sent = backlog.last().map_or(after, |event| event.seq);
    let backlog = stream::iter(backlog);
    let live = live
        // A lagging subscriber ends its stream; the browser reconnects with
        // Last-Event-ID and catches up from the database.
        .take_while(|received| std::future::ready(received.is_ok()))
        .filter_map(move |received| {
            let wanted = match received {
                Ok(event) if event.order_id == id && event.seq > sent => {
                    sent = event.seq;
                    Some(event)
                }
                _ => None,
            };
            std::future::ready(wanted)
        });
    let events = backlog
        .chain(live)
        .map(move |event| {
            // The stream's place is held until the client goes away.
            let _held = &ticket;
            Ok(to_sse(&event))
        })
        // The browser reconnects (with Last-Event-ID) to the next server.
        .take_until(crate::state::stopped(state.stopping.clone()));
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// How long a client turned away for lack of stream places should wait.
const STREAM_RETRY_AFTER_SECS: u64 = 10;

fn last_event_id(headers: &HeaderMap) -> i64 {
    headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0)
}

fn to_sse(event: &StatusEvent) -> Event {
    let update = StatusUpdate {
        order_id: event.order_id.clone(),
        status: event.status,
        at: event.at,
        reason: event.reason.clone(),
    };
    Event::default()
        .id(event.seq.to_string())
        .event("status")
        .json_data(update)
        .unwrap_or_else(|_| Event::default().comment("unserializable event"))
}
