//! The cook's buttons, derived from the one transition rule
//! (`OrderStatus::can_become`): the kitchen page draws what the board lists
//! for each ticket instead of knowing the rules itself, so a new status or
//! transition reaches the display without touching its JavaScript.

use serde::Serialize;
use wendan_protocol::OrderStatus;

/// One thing a cook can do to a ticket: one allowed transition, named as the
/// kitchen says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KitchenAction {
    Start,
    Bump,
    Complete,
    Recall,
    Cancel,
}

impl KitchenAction {
    /// Every action, in the order the buttons stand on a ticket.
    pub const ALL: [KitchenAction; 5] = [
        KitchenAction::Start,
        KitchenAction::Bump,
        KitchenAction::Complete,
        KitchenAction::Recall,
        KitchenAction::Cancel,
    ];

    /// The action that moves an order from `from` to `to`, if the kitchen may.
    pub fn between(from: OrderStatus, to: OrderStatus) -> Option<KitchenAction> {
        use OrderStatus::*;
        if !from.can_become(to) {
            return None;
        }
        match to {
            AwaitingPayment | Received => None,
            Preparing if from == Ready => Some(KitchenAction::Recall),
            Preparing => Some(KitchenAction::Start),
            Ready => Some(KitchenAction::Bump),
            Completed => Some(KitchenAction::Complete),
            Cancelled => Some(KitchenAction::Cancel),
        }
    }

    /// The name on the wire (`data-action` on the page).
    pub fn as_str(self) -> &'static str {
        match self {
            KitchenAction::Start => "start",
            KitchenAction::Bump => "bump",
            KitchenAction::Complete => "complete",
            KitchenAction::Recall => "recall",
            KitchenAction::Cancel => "cancel",
        }
    }

    /// Where this action moves an order.
    pub fn target(self) -> OrderStatus {
        match self {
            KitchenAction::Start | KitchenAction::Recall => OrderStatus::Preparing,
            KitchenAction::Bump => OrderStatus::Ready,
            KitchenAction::Complete => OrderStatus::Completed,
            KitchenAction::Cancel => OrderStatus::Cancelled,
        }
    }

    /// The one action Enter (the bump bar) takes on a selected ticket.
    pub fn is_primary(self) -> bool {
        matches!(self, KitchenAction::Bump | KitchenAction::Complete)
    }

    /// Cancelling asks the cook for a reason the diner is told.
    pub fn needs_reason(self) -> bool {
        self == KitchenAction::Cancel
    }
}

/// A button on a ticket, as the page draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TicketAction {
    pub action: KitchenAction,
    /// The status to send when it is pressed.
    pub status: OrderStatus,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub primary: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub needs_reason: bool,
}

/// The buttons for an order in `status`, in their order on the ticket.
pub fn offered_on(status: OrderStatus) -> Vec<TicketAction> {
    KitchenAction::ALL
        .into_iter()
        .filter(|action| KitchenAction::between(status, action.target()) == Some(*action))
        .map(|action| TicketAction {
            action,
            status: action.target(),
            primary: action.is_primary(),
            needs_reason: action.needs_reason(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(status: OrderStatus) -> Vec<KitchenAction> {
        offered_on(status)
            .into_iter()
            .map(|offered| offered.action)
            .collect()
    }

    #[test]
    fn every_allowed_transition_is_a_button_and_no_button_breaks_the_rule() {
        for from in OrderStatus::ALL {
            for to in OrderStatus::ALL {
                let action = KitchenAction::between(from, to);
                assert_eq!(
                    action.is_some(),
                    from.can_become(to),
                    "{from:?} → {to:?}: a transition the kitchen may make needs a button, and only those"
                );
                if let Some(action) = action {
                    assert_eq!(action.target(), to);
                    assert!(
                        names(from).contains(&action),
                        "{from:?} should offer {action:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_open_ticket_has_exactly_one_primary_action_and_a_way_out() {
        for status in OrderStatus::ALL
            .into_iter()
            .filter(|status| status.is_open())
        {
            let offered = offered_on(status);
            assert_eq!(
                offered.iter().filter(|offered| offered.primary).count(),
                1,
                "{status:?}: Enter must do one thing"
            );
            assert!(names(status).contains(&KitchenAction::Cancel), "{status:?}");
        }
        for status in OrderStatus::ALL
            .into_iter()
            .filter(|status| !status.is_open())
        {
            assert!(offered_on(status).is_empty(), "{status:?} is final");
        }
    }

    #[test]
    fn the_buttons_are_the_ones_cooks_know() {
        use KitchenAction::*;
        assert_eq!(names(OrderStatus::Received), [Start, Bump, Cancel]);
        assert_eq!(names(OrderStatus::Preparing), [Bump, Cancel]);
        assert_eq!(names(OrderStatus::Ready), [Complete, Recall, Cancel]);
    }
}
