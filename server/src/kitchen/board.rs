//! What the kitchen display shows, derived from the open orders: tickets in
//! arrival order, add-on (加菜) marks, all-day counts and allergy flags.
//! Pure, so every rule is unit-tested and the page only draws the result.

use std::collections::BTreeMap;

use serde::Serialize;
use time::OffsetDateTime;
use wendan_protocol::order::OrderMode;
use wendan_protocol::{Localized, OrderStatus, PlacedOrder, TableVisit};

use super::actions::{TicketAction, offered_on};
use super::age::{AgeThresholds, AgeTimer};

/// One order on the display.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Ticket {
    pub order: PlacedOrder,
    /// The number of the table's earliest open order when this one is a
    /// later order from the same table: an add-on (加菜) to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_on_to: Option<u32>,
    /// Whether the order note or any line note mentions an allergy.
    pub allergy: bool,
    /// Which line notes (by index in `order.items`) mention an allergy.
    pub allergy_lines: Vec<usize>,
    /// Whether the order note mentions an allergy.
    pub allergy_order_note: bool,
    pub timer: AgeTimer,
    /// The cook's buttons for this ticket, from the transition rule.
    pub actions: Vec<TicketAction>,
    /// Where the party sits now, when it moved (换桌) after ordering: the
    /// food goes there, not to `order.table`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seated_at: Option<String>,
}

/// How many of one item the open tickets still need, across all of them.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AllDayCount {
    pub item_id: String,
    pub name: Localized,
    pub qty: i64,
}

/// Everything the display needs besides the live controls.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub tickets: Vec<Ticket>,
    pub all_day: Vec<AllDayCount>,
}

/// Builds the board from open orders (in any order; shown oldest first).
pub fn board(mut orders: Vec<PlacedOrder>, thresholds: AgeThresholds) -> Board {
    orders.retain(|order| order.status.is_open());
    orders.sort_by_key(|order| (order.received_at, order.number));
    let all_day = all_day_counts(&orders);
    let mut first_of_table: BTreeMap<String, u32> = BTreeMap::new();
    let tickets = orders
        .into_iter()
        .map(|order| {
            let add_on_to = table_key(&order).and_then(|table| match first_of_table.get(&table) {
                Some(first) => Some(*first),
                None => {
                    first_of_table.insert(table, order.number);
                    None
                }
            });
            let allergy_lines: Vec<usize> = order
                .items
                .iter()
                .enumerate()
                .filter(|(_, line)| line.note.as_deref().is_some_and(mentions_allergy))
                .map(|(index, _)| index)
                .collect();
            let allergy_order_note = order.note.as_deref().is_some_and(mentions_allergy);
            Ticket {
                allergy: allergy_order_note || !allergy_lines.is_empty(),
                allergy_lines,
                allergy_order_note,
                timer: AgeTimer::new(order.received_at, thresholds),
                actions: offered_on(order.status),
                seated_at: None,
                add_on_to,
                order,
            }
        })
        .collect();
    Board { tickets, all_day }
}

/// Dine-in orders are grouped by their table's visit (one party's rounds;
/// the next party at the table is not an add-on to the last), and orders
/// stored before visits existed by table, ignoring case and spaces ("a 1"
/// is "A1").
fn table_key(order: &PlacedOrder) -> Option<String> {
    if order.mode != OrderMode::DineIn {
        return None;
    }
    if let Some(visit) = &order.visit_id {
        return Some(format!("visit {visit}"));
    }
    let table: String = order
        .table
        .as_deref()?
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    (!table.is_empty()).then_some(table)
}

/// Marks the tickets of parties that moved since ordering with the table
/// they sit at now (`visits`: the open visits).
pub fn seat_moved_parties<'a>(board: &mut Board, visits: impl IntoIterator<Item = &'a TableVisit>) {
    let seated: BTreeMap<&str, &TableVisit> = visits
        .into_iter()
        .map(|visit| (visit.id.as_str(), visit))
        .collect();
    for ticket in &mut board.tickets {
        let Some(visit_id) = &ticket.order.visit_id else {
            continue;
        };
        ticket.seated_at = seated
            .get(visit_id.as_str())
            .filter(|visit| ticket.order.table.as_deref() != Some(visit.table.as_str()))
            .map(|visit| visit.table.clone());
    }
}

/// Totals per item over the tickets still cooking. A bumped (ready) ticket
/// is out of the kitchen's hands, so it no longer counts.
fn all_day_counts(orders: &[PlacedOrder]) -> Vec<AllDayCount> {
    let mut counts: BTreeMap<&str, AllDayCount> = BTreeMap::new();
    let cooking = orders
        .iter()
        .filter(|order| matches!(order.status, OrderStatus::Received | OrderStatus::Preparing));
    for line in cooking.flat_map(|order| &order.items) {
        counts
            .entry(&line.item_id)
            .or_insert_with(|| AllDayCount {
                item_id: line.item_id.clone(),
                name: line.name.clone(),
                qty: 0,
            })
            .qty += line.qty;
    }
    let mut counts: Vec<AllDayCount> = counts.into_values().collect();
    counts.sort_by(|a, b| b.qty.cmp(&a.qty).then_with(|| a.item_id.cmp(&b.item_id)));
    counts
}

/// Words that mark a note as an allergy warning, in Simplified and
/// Traditional Chinese and in English (diners write notes in their own).
const ALLERGY_WORDS: &[&str] = &[
    "过敏",
    "過敏",
    "忌口",
    "花生",
    "坚果",
    "堅果",
    "海鲜",
    "海鮮",
    "麸质",
    "麩質",
    "乳糖",
    "allerg",
    "peanut",
    "nuts",
    "gluten",
    "shellfish",
    "celiac",
    "coeliac",
    "lactose",
    "dairy",
];

/// Whether a diner's note warns of an allergy, so the display makes it stand out.
pub fn mentions_allergy(note: &str) -> bool {
    let lower = note.to_lowercase();
    ALLERGY_WORDS.iter().any(|word| lower.contains(word))
}

/// The age of every ticket when the display asks, for tests and logs.
pub fn ages(board: &Board, now: OffsetDateTime) -> Vec<super::age::AgeColour> {
    board
        .tickets
        .iter()
        .map(|ticket| ticket.timer.colour_at(now))
        .collect()
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use wendan_protocol::placed_order::PricedLine;

    use super::super::age::AgeColour;
    use super::*;

    const NOON: OffsetDateTime = datetime!(2026-11-23 04:00 UTC);

    fn line(item_id: &str, qty: i64, note: Option<&str>) -> PricedLine {
        PricedLine {
            item_id: item_id.into(),
            name: Localized::from([("en", item_id), ("zh-CN", item_id)]),
            qty,
            options: vec![],
            unit_price_minor: 100,
            line_total_minor: 100 * qty,
            note: note.map(Into::into),
        }
    }

    fn order(
        number: u32,
        table: Option<&str>,
        minutes: i64,
        items: Vec<PricedLine>,
    ) -> PlacedOrder {
        PlacedOrder {
            id: format!("order-{number}"),
            number,
            status: OrderStatus::Received,
            mode: if table.is_some() {
                OrderMode::DineIn
            } else {
                OrderMode::Pickup
            },
            table: table.map(Into::into),
            pickup_name: table.is_none().then(|| "Li".to_owned()),
            items,
            note: None,
            total_minor: 0,
            currency: "CNY".into(),
            received_at: NOON + time::Duration::minutes(minutes),
            client_created_at: NOON,
            status_reason: None,
            visit_id: None,
        }
    }

    fn add_ons(board: &Board) -> Vec<Option<u32>> {
        board.tickets.iter().map(|t| t.add_on_to).collect()
    }

    #[test]
    fn a_later_order_from_an_open_table_is_an_add_on_to_its_first_order() {
        let orders = vec![
            order(3, Some("a 1"), 9, vec![]),
            order(1, Some("A1"), 0, vec![]),
            order(2, Some("B2"), 5, vec![]),
            order(4, Some("A1"), 12, vec![]),
            order(5, None, 13, vec![]),
            order(6, None, 14, vec![]),
        ];
        let board = board(orders, AgeThresholds::default());
        let numbers: Vec<u32> = board.tickets.iter().map(|t| t.order.number).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6], "oldest first");
        assert_eq!(
            add_ons(&board),
            [None, None, Some(1), Some(1), None, None],
            "pickup orders are never add-ons"
        );
    }

    #[test]
    fn the_next_party_at_a_table_is_not_an_add_on_to_the_last_and_a_moved_party_is_found() {
        let mut last_party = order(1, Some("A1"), 0, vec![]);
        last_party.visit_id = Some("v1".into());
        let mut next_party = order(2, Some("A1"), 5, vec![]);
        next_party.visit_id = Some("v2".into());
        let mut next_party_again = order(3, Some("A1"), 9, vec![]);
        next_party_again.visit_id = Some("v2".into());
        let mut board = board(
            vec![last_party, next_party, next_party_again],
            AgeThresholds::default(),
        );
        assert_eq!(add_ons(&board), [None, None, Some(2)]);

        let moved = TableVisit {
            id: "v2".into(),
            table: "B4".into(),
            opened_at: NOON,
            opened_by: wendan_protocol::VisitOpener::Scan,
            closed_at: None,
            closed_by: None,
        };
        seat_moved_parties(&mut board, &[moved]);
        let seated: Vec<Option<&str>> = board
            .tickets
            .iter()
            .map(|ticket| ticket.seated_at.as_deref())
            .collect();
        assert_eq!(seated, [None, Some("B4"), Some("B4")]);
    }

    #[test]
    fn once_the_first_order_closes_the_next_one_is_no_longer_an_add_on() {
        let mut first = order(1, Some("A1"), 0, vec![]);
        first.status = OrderStatus::Completed;
        let board = board(
            vec![first, order(2, Some("A1"), 5, vec![])],
            AgeThresholds::default(),
        );
        assert_eq!(board.tickets.len(), 1);
        assert_eq!(add_ons(&board), [None]);
    }

    #[test]
    fn all_day_counts_add_up_items_still_cooking() {
        let mut ready = order(3, Some("C3"), 2, vec![line("tripe", 5, None)]);
        ready.status = OrderStatus::Ready;
        let mut preparing = order(2, Some("B2"), 1, vec![line("tripe", 1, None)]);
        preparing.status = OrderStatus::Preparing;
        let orders = vec![
            order(
                1,
                Some("A1"),
                0,
                vec![line("tripe", 2, None), line("lamb", 1, None)],
            ),
            preparing,
            ready,
            order(
                4,
                None,
                3,
                vec![line("lamb", 1, None), line("tofu", 1, None)],
            ),
        ];
        let board = board(orders, AgeThresholds::default());
        let counts: Vec<(&str, i64)> = board
            .all_day
            .iter()
            .map(|c| (c.item_id.as_str(), c.qty))
            .collect();
        assert_eq!(counts, [("tripe", 3), ("lamb", 2), ("tofu", 1)]);
    }

    #[test]
    fn allergy_notes_are_flagged_in_every_language() {
        assert!(mentions_allergy("对花生过敏"));
        assert!(mentions_allergy("我對堅果過敏"));
        assert!(mentions_allergy("海鮮會過敏"));
        assert!(mentions_allergy("Severe PEANUT allergy"));
        assert!(!mentions_allergy("少辣"));
        assert!(!mentions_allergy("extra spicy"));
        let lines = vec![
            line("lamb", 1, None),
            line("tripe", 1, Some("no nuts please")),
        ];
        let mut noted = order(1, None, 0, lines);
        let plain = order(2, None, 0, vec![line("tripe", 1, Some("少辣"))]);
        let flagged = board(vec![noted.clone(), plain], AgeThresholds::default());
        let flags: Vec<(bool, &[usize])> = flagged
            .tickets
            .iter()
            .map(|t| (t.allergy, t.allergy_lines.as_slice()))
            .collect();
        assert_eq!(flags, [(true, &[1][..]), (false, &[][..])]);
        noted.items[1].note = None;
        noted.note = Some("海鲜过敏".into());
        let flagged = board(vec![noted], AgeThresholds::default());
        assert!(flagged.tickets[0].allergy && flagged.tickets[0].allergy_order_note);
    }

    #[test]
    fn every_ticket_has_its_age_colour() {
        let board = board(
            vec![order(1, None, 0, vec![]), order(2, None, 8, vec![])],
            AgeThresholds::default(),
        );
        let now = NOON + time::Duration::minutes(11);
        assert_eq!(ages(&board, now), [AgeColour::Late, AgeColour::Fresh]);
    }
}
