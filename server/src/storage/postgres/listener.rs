//! LISTEN/NOTIFY: every replica hears every status change committed by any
//! replica, and fans it out to its own SSE subscribers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio_postgres::{AsyncMessage, Config, NoTls};
use wendan_protocol::OrderStatus;

use super::controls::CONTROLS_CHANNEL;
use crate::storage::{EventBus, StatusEvent};

pub const CHANNEL: &str = "wendan_order_events";
/// A payment moved without its order: the kitchen's counter strip changed.
pub const BOARD_CHANNEL: &str = "wendan_kitchen_board";
/// A table visit's shared cart changed; the payload is the visit's id.
pub const CARTS_CHANNEL: &str = "wendan_table_carts";

/// A status event as a NOTIFY payload.
#[derive(Serialize, Deserialize)]
pub struct Payload {
    pub seq: i64,
    pub order_id: String,
    pub status: OrderStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub reason: Option<String>,
}

impl From<Payload> for StatusEvent {
    fn from(payload: Payload) -> Self {
        StatusEvent {
            seq: payload.seq,
            order_id: payload.order_id,
            status: payload.status,
            at: payload.at,
            reason: payload.reason,
        }
    }
}

impl From<&StatusEvent> for Payload {
    fn from(event: &StatusEvent) -> Self {
        Payload {
            seq: event.seq,
            order_id: event.order_id.clone(),
            status: event.status,
            at: event.at,
            reason: event.reason.clone(),
        }
    }
}

/// Whether this replica can hear the others, for `/metrics`. A replica
/// whose LISTEN connection is down, or silently dead (a firewall dropping an
/// idle connection, a pooler that does not pass NOTIFY on), shows its
/// diners and cooks stale statuses until they reload; comparing when each
/// replica last heard anything tells the deaf one from a quiet restaurant.
#[derive(Clone, Default)]
pub struct ListenerHealth(Arc<Heard>);

#[derive(Default)]
struct Heard {
    up: AtomicBool,
    /// Unix seconds of the last (re)connection or notification.
    last: AtomicI64,
}

impl ListenerHealth {
    /// The connection is open and LISTENing.
    pub fn is_up(&self) -> bool {
        self.0.up.load(Ordering::Relaxed)
    }

    /// Unix seconds when the listener last connected or heard a NOTIFY.
    pub fn last_heard(&self) -> i64 {
        self.0.last.load(Ordering::Relaxed)
    }

    fn heard(&self) {
        self.0.last.store(
            OffsetDateTime::now_utc().unix_timestamp(),
            Ordering::Relaxed,
        );
    }

    fn set_up(&self, up: bool) {
        if up {
            self.heard();
        }
        self.0.up.store(up, Ordering::Relaxed);
    }
}

/// Connects and LISTENs before the replica serves anything, so it never
/// answers a request while deaf to the other replicas; then listens for
/// ever on its own task, reconnecting after a dropped connection.
/// Subscribers that missed events meanwhile catch up from the database.
pub async fn start(
    config: Config,
    events: EventBus,
) -> Result<ListenerHealth, tokio_postgres::Error> {
    let health = ListenerHealth::default();
    let mut listening = Listening::connect(&config, &events).await?;
    health.set_up(true);
    let watched = health.clone();
    tokio::spawn(async move {
        loop {
            if let Err(error) = listening.run(&events, &watched).await {
                tracing::warn!(%error, "LISTEN connection lost; reconnecting");
            }
            watched.set_up(false);
            listening = reconnect(&config, &events).await;
            watched.set_up(true);
        }
    });
    Ok(health)
}

/// Tries again every second until the connection LISTENs.
async fn reconnect(config: &Config, events: &EventBus) -> Listening {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        match Listening::connect(config, events).await {
            Ok(listening) => return listening,
            Err(error) => tracing::warn!(%error, "cannot LISTEN yet; retrying"),
        }
    }
}

/// A connection that LISTENs on the four channels, and what it has heard.
struct Listening {
    client: tokio_postgres::Client,
    received: tokio::sync::mpsc::UnboundedReceiver<(String, String)>,
    driver: tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>,
}

impl Listening {
    async fn connect(config: &Config, events: &EventBus) -> Result<Self, tokio_postgres::Error> {
        let (client, mut connection) = config.connect(NoTls).await?;
        let (notifications, received) = tokio::sync::mpsc::unbounded_channel::<(String, String)>();
        let driver = tokio::spawn(async move {
            let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(message) = messages.next().await {
                match message {
                    Ok(AsyncMessage::Notification(note)) => {
                        let note = (note.channel().to_owned(), note.payload().to_owned());
                        if notifications.send(note).is_err() {
                            return Ok(());
                        }
                    }
                    Ok(_) => {}
                    Err(error) => return Err(error),
                }
            }
            Ok(())
        });
        client
            .batch_execute(&format!(
                "LISTEN {CHANNEL}; LISTEN {CONTROLS_CHANNEL}; LISTEN {BOARD_CHANNEL}; \
                 LISTEN {CARTS_CHANNEL}"
            ))
            .await?;
        // Switches flipped and carts changed while this connection was down
        // are re-read now.
        events.controls_changed();
        events.all_carts_changed();
        Ok(Self {
            client,
            received,
            driver,
        })
    }

    /// Fans out what is heard until the connection drops.
    async fn run(
        mut self,
        events: &EventBus,
        health: &ListenerHealth,
    ) -> Result<(), tokio_postgres::Error> {
        while let Some((channel, payload)) = self.received.recv().await {
            health.heard();
            if channel == CONTROLS_CHANNEL {
                events.controls_changed();
                continue;
            }
            if channel == BOARD_CHANNEL {
                events.board_changed();
                continue;
            }
            if channel == CARTS_CHANNEL {
                events.cart_changed(&payload);
                continue;
            }
            match serde_json::from_str::<Payload>(&payload) {
                Ok(payload) => events.publish(payload.into()),
                Err(error) => tracing::error!(%error, "unreadable NOTIFY payload"),
            }
        }
        drop(self.client);
        match self.driver.await {
            Ok(result) => result,
            Err(_) => Ok(()),
        }
    }
}
