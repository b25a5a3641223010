//! Status events, fanned out to this process's SSE subscribers.
//!
//! Each backend publishes after its commit: SQLite directly, PostgreSQL
//! through LISTEN/NOTIFY so that every replica hears every change.

use tokio::sync::broadcast;

use super::StatusEvent;

/// Events kept for slow subscribers before they must resync from the database.
const BUFFER: usize = 4096;

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<StatusEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BUFFER).0,
        }
    }
}

impl EventBus {
    pub fn publish(&self, event: StatusEvent) {
        // No subscriber is fine: SSE clients catch up from the database.
        let _ = self.sender.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<StatusEvent> {
        self.sender.subscribe()
    }
}
