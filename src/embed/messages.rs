//! What the widget tells a host page, and what a host page may ask of it.
//! Only what a host needs to react (count, total, number, state): never the
//! dishes or the diner's name — the host page is not the diner's — and never
//! an order's idempotency key: whoever holds a key could send another body
//! under it first. Orders are named by the reference on the diner's receipt.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use wendan_outbox::{DeliveryState, OutboxEntry, Stage};
use wendan_protocol::Menu;
use wendan_protocol::theme::Theme;
use wendan_protocol::validation::MAX_TABLE_CHARS;

use crate::cart::Cart;

/// Events to the host, as `{type: "wendan:…", …}` objects.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum HostEvent {
    /// The widget listens; `theme` is the brand as used (colour adjusted for contrast).
    #[serde(rename = "wendan:ready")]
    Ready { theme: Theme },
    #[serde(rename = "wendan:cart")]
    Cart {
        count: i64,
        total_minor: i64,
        currency: String,
    },
    /// Saved on the phone: it will reach the kitchen, online or not.
    /// `reference` is the one on the diner's receipt (`OutboxEntry::local_ref`).
    #[serde(rename = "wendan:order-placed")]
    OrderPlaced {
        reference: String,
        table: Option<String>,
        total_minor: i64,
        currency: String,
    },
    /// `state`: saved, sending, received, preparing, ready, completed,
    /// cancelled, rejected, price_changed or expired; `number` once received.
    #[serde(rename = "wendan:order-status")]
    OrderStatus {
        reference: String,
        state: &'static str,
        number: Option<u32>,
    },
    /// The diner pressed Escape in the widget: the loader closes the overlay.
    #[serde(rename = "wendan:close-request")]
    CloseRequest,
}

impl HostEvent {
    pub fn cart(cart: &Cart, menu: &Menu) -> Self {
        HostEvent::Cart {
            count: cart.count(),
            total_minor: cart.total_minor(menu),
            currency: menu.currency.clone(),
        }
    }

    pub fn placed(entry: &OutboxEntry, currency: String) -> Self {
        HostEvent::OrderPlaced {
            reference: entry.local_ref(),
            table: entry.request.table.clone(),
            total_minor: entry.request.client.total_minor,
            currency,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            HostEvent::Ready { .. } => "wendan:ready",
            HostEvent::Cart { .. } => "wendan:cart",
            HostEvent::OrderPlaced { .. } => "wendan:order-placed",
            HostEvent::OrderStatus { .. } => "wendan:order-status",
            HostEvent::CloseRequest => "wendan:close-request",
        }
    }
}

/// Commands from the host (open and close are the loader's own), as
/// `{type: "wendan:…", …}` objects.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "CommandFields")]
pub enum HostCommand {
    /// A table and its code (`code`, as the table's QR link carries it).
    SetTable {
        table: String,
        code: Option<String>,
    },
    SetLanguage {
        lang: String,
    },
}

/// A command as it arrives. Read flat rather than with serde's
/// `tag = "type"`, whose buffering reader costs the wasm more than every
/// command put together.
#[derive(Deserialize)]
struct CommandFields {
    #[serde(rename = "type")]
    kind: String,
    table: Option<String>,
    code: Option<String>,
    lang: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("not a command this widget takes")]
pub struct UnknownCommand;

impl TryFrom<CommandFields> for HostCommand {
    type Error = UnknownCommand;

    fn try_from(fields: CommandFields) -> Result<Self, Self::Error> {
        match (fields.kind.as_str(), fields.table, fields.lang) {
            ("wendan:set-table", Some(table), _) => Ok(HostCommand::SetTable {
                table,
                code: fields.code.filter(|code| !code.trim().is_empty()),
            }),
            ("wendan:set-language", _, Some(lang)) => Ok(HostCommand::SetLanguage { lang }),
            _ => Err(UnknownCommand),
        }
    }
}

/// A table from a host: trimmed, non-empty, no longer than the server takes.
pub fn table_from_host(table: &str) -> Option<String> {
    let table = table.trim();
    let fits = !table.is_empty() && table.chars().count() <= MAX_TABLE_CHARS;
    fits.then(|| table.to_owned())
}

/// Which orders changed state since last seen. Orders already on the phone
/// when the page opened are learnt silently (a host must not hear old news
/// on every page view); orders placed here are announced from the start.
#[derive(Debug, Default)]
pub struct StatusTracker {
    known: HashMap<String, Stage>,
    placed_here: HashSet<String>,
}

impl StatusTracker {
    pub fn placed(&mut self, entry: &OutboxEntry) {
        let key = entry.key.to_string();
        self.known.insert(key.clone(), entry.stage());
        self.placed_here.insert(key);
    }

    pub fn observe(&mut self, entries: &[OutboxEntry]) -> Vec<HostEvent> {
        let mut events = Vec::new();
        for entry in entries {
            let key = entry.key.to_string();
            let stage = entry.stage();
            let changed = match self.known.get(&key) {
                Some(before) => *before != stage,
                None => self.placed_here.contains(&key),
            };
            self.known.insert(key.clone(), stage);
            if changed {
                let number = match &entry.state {
                    DeliveryState::Received { order } => Some(order.number),
                    _ => None,
                };
                events.push(HostEvent::OrderStatus {
                    reference: entry.local_ref(),
                    state: stage.name(),
                    number,
                });
            }
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wendan_protocol::{IdempotencyKey, fixtures};

    fn entry() -> OutboxEntry {
        let key = IdempotencyKey::new("k3y-0000000000000001").expect("key");
        let request = fixtures::dine_in(
            vec![fixtures::line("potato", 1, &[])],
            time::OffsetDateTime::UNIX_EPOCH,
            1000,
        );
        OutboxEntry::new(key, request, 2700)
    }

    #[test]
    fn orders_already_on_the_phone_are_not_announced_until_they_change() {
        let mut tracker = StatusTracker::default();
        let mut old = entry();
        assert!(tracker.observe(std::slice::from_ref(&old)).is_empty());
        assert!(tracker.observe(std::slice::from_ref(&old)).is_empty());
        old.state = DeliveryState::Expired;
        let events = tracker.observe(std::slice::from_ref(&old));
        assert_eq!(
            events,
            vec![HostEvent::OrderStatus {
                reference: old.local_ref(),
                state: "expired",
                number: None
            }]
        );
    }

    #[test]
    fn an_order_placed_here_is_announced_on_each_change_only() {
        let mut tracker = StatusTracker::default();
        let mut placed = entry();
        tracker.placed(&placed);
        assert!(tracker.observe(std::slice::from_ref(&placed)).is_empty());
        placed.state = DeliveryState::Expired;
        assert_eq!(tracker.observe(std::slice::from_ref(&placed)).len(), 1);
        assert!(tracker.observe(std::slice::from_ref(&placed)).is_empty());
    }

    #[test]
    fn events_serialise_with_their_type_names() {
        let event = HostEvent::OrderStatus {
            reference: "K3Y000".into(),
            state: "ready",
            number: Some(7),
        };
        let json = serde_json::to_value(&event).expect("json");
        assert_eq!(json["type"], event.type_name());
        assert_eq!(json["number"], 7);
        let close = serde_json::to_value(HostEvent::CloseRequest).expect("json");
        assert_eq!(close, serde_json::json!({"type": "wendan:close-request"}));
    }

    #[test]
    fn the_host_never_hears_an_idempotency_key() {
        let mut tracker = StatusTracker::default();
        let mut placed = entry();
        tracker.placed(&placed);
        placed.state = DeliveryState::Expired;
        let mut events = vec![HostEvent::placed(&placed, "CNY".into())];
        events.extend(tracker.observe(std::slice::from_ref(&placed)));
        assert_eq!(events.len(), 2);
        for event in events {
            let json = serde_json::to_string(&event).expect("json");
            assert!(!json.contains(placed.key.as_str()), "{json}");
            assert!(json.contains(&placed.local_ref()), "{json}");
        }
    }

    #[test]
    fn commands_parse_and_tables_are_checked() {
        let command: HostCommand =
            serde_json::from_value(serde_json::json!({"type": "wendan:set-table", "table": "B7"}))
                .expect("command");
        assert_eq!(
            command,
            HostCommand::SetTable {
                table: "B7".into(),
                code: None
            }
        );
        let with_code: HostCommand = serde_json::from_value(
            serde_json::json!({"type": "wendan:set-table", "table": "B7", "code": "k3y"}),
        )
        .expect("command");
        assert_eq!(
            with_code,
            HostCommand::SetTable {
                table: "B7".into(),
                code: Some("k3y".into())
            }
        );
        let language: HostCommand = serde_json::from_value(
            serde_json::json!({"type": "wendan:set-language", "lang": "en"}),
        )
        .expect("command");
        assert_eq!(language, HostCommand::SetLanguage { lang: "en".into() });
        for unknown in [
            serde_json::json!({"type": "wendan:pay"}),
            serde_json::json!({"type": "wendan:set-table"}),
            serde_json::json!({"table": "B7"}),
            serde_json::json!("wendan:set-table"),
        ] {
            assert!(serde_json::from_value::<HostCommand>(unknown).is_err());
        }
        assert_eq!(table_from_host("  A12 "), Some("A12".into()));
        assert_eq!(table_from_host("  "), None);
        assert_eq!(table_from_host(&"x".repeat(MAX_TABLE_CHARS + 1)), None);
    }
}
