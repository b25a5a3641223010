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
    /// The kitchen's switches changed: listeners re-read them from the database.
    controls: broadcast::Sender<()>,
    /// Something on the board changed that moved no order (a diner chose
    /// to pay at the counter): displays on this replica re-read the board.
    board: broadcast::Sender<()>,
    /// A table visit's shared cart changed: its phones' streams re-read it.
    carts: broadcast::Sender<CartNews>,
}

/// Which carts changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartNews {
    /// The cart of this visit.
    Visit(String),
    /// Perhaps any: this replica may have missed news (its LISTEN
    /// connection was down), so every stream re-reads its cart.
    All,
}

impl CartNews {
    pub fn concerns(&self, visit_id: &str) -> bool {
        match self {
            CartNews::Visit(id) => id == visit_id,
            CartNews::All => true,
        }
    }
}

impl Default for EventBus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BUFFER).0,
            controls: broadcast::channel(16).0,
            board: broadcast::channel(16).0,
            carts: broadcast::channel(BUFFER).0,
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

    pub fn controls_changed(&self) {
        // No listener is fine: each reads the switches when it starts.
        let _ = self.controls.send(());
    }

    pub fn subscribe_controls(&self) -> broadcast::Receiver<()> {
        self.controls.subscribe()
    }

    /// Only this process's displays hear it; another replica's re-read the
    /// board on their next event or timer (`kitchen.js`).
    pub fn board_changed(&self) {
        let _ = self.board.send(());
    }

    pub fn subscribe_board(&self) -> broadcast::Receiver<()> {
        self.board.subscribe()
    }

    /// Every stream of the visit's table on this replica re-reads its cart
    /// (PostgreSQL: every replica's, through NOTIFY).
    pub fn cart_changed(&self, visit_id: &str) {
        let _ = self.carts.send(CartNews::Visit(visit_id.to_owned()));
    }

    /// Every stream re-reads its cart.
    pub fn all_carts_changed(&self) {
        let _ = self.carts.send(CartNews::All);
    }

    pub fn subscribe_carts(&self) -> broadcast::Receiver<CartNews> {
        self.carts.subscribe()
    }
}
