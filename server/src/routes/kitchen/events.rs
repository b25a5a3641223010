//! `GET /api/v1/kitchen/events`: every order's status changes (a new order
//! arrives as `received`) and every flip of the kitchen's switches, as
//! Server-Sent Events. The display treats each event as "something changed"
//! and re-reads the board, so this stream needs no resumption of its own.
//! Every event's data is JSON (`{}` when there is nothing to say).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;
use wendan_protocol::{Problem, StatusUpdate};

use crate::auth::Kitchen;
use crate::state::AppState;

/// How soon a display reconnects after the stream ends (server restart).
const RECONNECT: Duration = Duration::from_secs(1);

#[utoipa::path(
    get,
    path = "/api/v1/kitchen/events",
    tag = "kitchen",
    security(("kitchen_token" = [])),
    responses(
        (status = 200, description = "`text/event-stream`: `status` events (a StatusUpdate), `controls` events (KitchenControls) and `resync`", body = serde_json::Value, content_type = "text/event-stream"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn kitchen_events(
    _kitchen: Kitchen,
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let statuses = BroadcastStream::new(state.events.subscribe()).map(|received| match received {
        Ok(event) => Event::default()
            .id(event.seq.to_string())
            .event("status")
            .json_data(StatusUpdate {
                order_id: event.order_id,
                status: event.status,
                at: event.at,
                reason: event.reason,
            })
            .unwrap_or_else(|_| Event::default().comment("unserializable event")),
        // Missed events: the display re-reads the board on any event.
        Err(_) => Event::default().event("resync").data("{}"),
    });
    let controls = BroadcastStream::new(state.events.subscribe_controls())
        .map(|_| Event::default().event("controls").data("{}"));
    let board = BroadcastStream::new(state.events.subscribe_board())
        .map(|_| Event::default().event("resync").data("{}"));
    let hello = stream::once(async { Event::default().event("hello").data("{}").retry(RECONNECT) });
    let events = hello
        .chain(stream::select(statuses, stream::select(controls, board)))
        .map(Ok)
        .take_until(crate::state::stopped(state.stopping.clone()));
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
