//! The diner's cart: plain data with ordinary methods, priced by the same
//! code the server uses, so the total shown is the total the server checks.

use serde::{Deserialize, Serialize};
use wendan_protocol::Menu;
use wendan_protocol::order::{OrderLine, OrderMode};
use wendan_protocol::pricing::price_line;
use wendan_protocol::validation::MAX_QTY;

use crate::profile::Profile;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cart {
    pub lines: Vec<CartLine>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub pickup_name: String,
    /// Local ids for lines, never reused within a cart.
    #[serde(default)]
    next_line_id: u32,
    /// Bumped by every change: placing an order checks that the cart it
    /// empties is the one the diner reviewed (another tab may have ordered it).
    #[serde(default)]
    pub revision: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartLine {
    pub line_id: u32,
    pub item_id: String,
    pub qty: i64,
    pub options: Vec<String>,
    #[serde(default)]
    pub note: String,
}

impl Cart {
    /// Adds one of an item; the same item with the same options and note
    /// adds to the existing line instead of making a second one.
    pub fn add(&mut self, item_id: &str, options: Vec<String>, note: &str) {
        let mut options = options;
        options.sort();
        let note = note.trim();
        self.revision += 1;
        if let Some(line) = self.same_choice(item_id, &options, note) {
            line.qty = (line.qty + 1).min(MAX_QTY);
            return;
        }
        self.next_line_id += 1;
        self.lines.push(CartLine {
            line_id: self.next_line_id,
            item_id: item_id.to_owned(),
            qty: 1,
            options,
            note: note.to_owned(),
        });
    }

    /// Puts an earlier order's line back, for "Edit and send again".
    pub fn add_line(&mut self, line: &OrderLine) {
        let note = line.note.as_deref().unwrap_or("");
        self.add(&line.item_id, line.options.clone(), note);
        let mut options = line.options.clone();
        options.sort();
        if let Some(added) = self.same_choice(&line.item_id, &options, note.trim()) {
            added.qty = line.qty.clamp(1, MAX_QTY);
        }
    }

    /// Puts what the diner did before the stored cart was read (a tap on
    /// "Add" in the first moments after the menu appears) on top of the
    /// stored cart, so that neither is lost. The early cart started empty,
    /// so every line in it is a new addition: same lines add up. Whether
    /// anything was added, so the caller saves the result.
    pub fn absorb_early(&mut self, early: &Cart) -> bool {
        if early.revision == 0 {
            return false;
        }
        for line in &early.lines {
            match self.same_choice(&line.item_id, &line.options, &line.note) {
                Some(kept) => kept.qty = kept.qty.saturating_add(line.qty).min(MAX_QTY),
                None => {
                    self.next_line_id += 1;
                    self.lines.push(CartLine {
                        line_id: self.next_line_id,
                        ..line.clone()
                    });
                }
            }
        }
        if !early.note.trim().is_empty() {
            self.note = early.note.clone();
        }
        if !early.pickup_name.trim().is_empty() {
            self.pickup_name = early.pickup_name.clone();
        }
        self.revision = self.revision.max(early.revision) + 1;
        true
    }

    /// The line for this item with these (sorted) options and this note.
    fn same_choice(
        &mut self,
        item_id: &str,
        options: &[String],
        note: &str,
    ) -> Option<&mut CartLine> {
        self.lines
            .iter_mut()
            .find(|line| line.item_id == item_id && line.options == options && line.note == note)
    }

    /// Sets a line's quantity; zero removes it.
    pub fn set_qty(&mut self, line_id: u32, qty: i64) {
        self.revision += 1;
        if qty <= 0 {
            self.remove(line_id);
        } else if let Some(line) = self.lines.iter_mut().find(|line| line.line_id == line_id) {
            line.qty = qty.min(MAX_QTY);
        }
    }

    pub fn set_line_note(&mut self, line_id: u32, note: &str) {
        self.revision += 1;
        if let Some(line) = self.lines.iter_mut().find(|line| line.line_id == line_id) {
            line.note = note.to_owned();
        }
    }

    /// Whether the stored cart says that the cart at `revision` may no
    /// longer be placed: another tab changed or ordered it since. A stored
    /// cart *older* than ours means our last saves failed (a full phone):
    /// the diner's cart on screen is still the truth and may be placed.
    pub fn superseded(stored: &Cart, revision: u64) -> bool {
        stored.revision > revision || (stored.revision == revision && stored.is_empty())
    }

    /// The empty cart that follows this one once it is ordered.
    pub fn emptied(revision: u64) -> Self {
        Cart {
            revision: revision + 1,
            ..Cart::default()
        }
    }

    /// Offers the remembered pickup name in a cart not yet started. Not a
    /// change by the diner (no new revision): the cart is saved with the
    /// name once they add something.
    pub fn prefill(&mut self, profile: &Profile) {
        if self.is_empty() && self.pickup_name.trim().is_empty() {
            self.pickup_name = profile.pickup_name.clone();
        }
    }

    pub fn set_note(&mut self, note: &str) {
        self.revision += 1;
        self.note = note.to_owned();
    }

    pub fn set_pickup_name(&mut self, name: &str) {
        self.revision += 1;
        self.pickup_name = name.to_owned();
    }

    pub fn remove(&mut self, line_id: u32) {
        self.revision += 1;
        self.lines.retain(|line| line.line_id != line_id);
    }

    /// How many items, for the cart button. Saturating, like the server's
    /// pricing: a cart read back from storage may hold any quantity.
    pub fn count(&self) -> i64 {
        self.lines
            .iter()
            .fold(0i64, |count, line| count.saturating_add(line.qty))
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The total in minor units, priced from `menu` exactly as the server will.
    pub fn total_minor(&self, menu: &Menu) -> i64 {
        self.order_lines()
            .iter()
            .filter_map(|line| price_line(menu, line))
            .fold(0i64, |total, priced| {
                total.saturating_add(priced.line_total_minor)
            })
    }

    /// The lines as the order will carry them.
    pub fn order_lines(&self) -> Vec<OrderLine> {
        self.lines.iter().map(CartLine::to_order_line).collect()
    }

    /// Dine-in when the page was opened for a table, else pickup.
    pub fn mode(table: Option<&str>) -> OrderMode {
        match table {
            Some(_) => OrderMode::DineIn,
            None => OrderMode::Pickup,
        }
    }
}

impl CartLine {
    pub fn to_order_line(&self) -> OrderLine {
        OrderLine {
            item_id: self.item_id.clone(),
            qty: self.qty,
            options: self.options.clone(),
            note: non_empty(&self.note),
        }
    }
}

pub fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod superseded_tests {
    use super::*;

    #[test]
    fn a_cart_ordered_or_changed_in_another_tab_is_superseded() {
        assert!(Cart::superseded(&Cart::emptied(4), 4), "ordered elsewhere");
        let mut changed = Cart::emptied(4);
        changed.revision = 7;
        assert!(Cart::superseded(&changed, 5), "changed elsewhere since");
    }

    #[test]
    fn a_stored_cart_behind_ours_is_not_superseded() {
        // Saves failed (storage full): storage still holds an older cart.
        assert!(!Cart::superseded(&Cart::default(), 3));
        let mut older = Cart::default();
        older.add("potato-slices", Vec::new(), "");
        assert!(!Cart::superseded(&older, older.revision + 2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn menu() -> Menu {
        serde_json::from_str(include_str!("../server/menus/demo-hotpot.json")).expect("demo menu")
    }

    #[test]
    fn taps_before_the_stored_cart_is_read_are_added_to_it() {
        let mut stored = Cart::default();
        stored.add("beef-tripe", vec![], "");
        stored.add("potato", vec![], "");
        let mut early = Cart::default();
        early.add("tomato-pot", vec![], "");
        early.add("beef-tripe", vec![], "");
        assert!(stored.absorb_early(&early));
        let lines: Vec<(&str, i64)> = stored
            .lines
            .iter()
            .map(|line| (line.item_id.as_str(), line.qty))
            .collect();
        assert_eq!(lines, [("beef-tripe", 2), ("potato", 1), ("tomato-pot", 1)]);
        let ids: std::collections::HashSet<u32> = stored.lines.iter().map(|l| l.line_id).collect();
        assert_eq!(ids.len(), 3, "line ids stay unique");
        assert!(
            stored.revision > early.revision,
            "the merged cart is newer than both"
        );
    }

    #[test]
    fn an_untouched_early_cart_changes_nothing() {
        let mut stored = Cart::default();
        stored.add("potato", vec![], "");
        stored.set_pickup_name("Li");
        let before = stored.clone();
        assert!(!stored.absorb_early(&Cart::default()));
        assert_eq!(stored, before);
    }

    #[test]
    fn the_same_choice_twice_is_one_line_of_two() {
        let mut cart = Cart::default();
        cart.add("beef-tripe", vec![], "");
        cart.add("beef-tripe", vec![], " ");
        cart.add("beef-tripe", vec![], "no coriander");
        assert_eq!(cart.lines.len(), 2);
        assert_eq!(cart.lines[0].qty, 2);
        assert_eq!(cart.count(), 3);
    }

    #[test]
    fn options_in_any_order_are_the_same_choice() {
        let mut cart = Cart::default();
        cart.add(
            "yuanyang-pot",
            vec!["spice-mild".into(), "pair-mushroom".into()],
            "",
        );
        cart.add(
            "yuanyang-pot",
            vec!["pair-mushroom".into(), "spice-mild".into()],
            "",
        );
        assert_eq!(cart.lines.len(), 1);
    }

    #[test]
    fn the_total_uses_the_servers_pricing() {
        let mut cart = Cart::default();
        cart.add("beef-tripe", vec![], "");
        cart.add(
            "yuanyang-pot",
            vec!["pair-mushroom".into(), "spice-mild".into()],
            "",
        );
        let line = cart.lines[0].line_id;
        cart.set_qty(line, 2);
        assert_eq!(cart.total_minor(&menu()), 2 * 3800 + 6800 + 800);
    }

    #[test]
    fn an_earlier_order_line_comes_back_with_its_quantity() {
        let mut cart = Cart::default();
        cart.add("beef-tripe", vec![], "");
        let line = OrderLine {
            item_id: "yuanyang-pot".into(),
            qty: 3,
            options: vec!["spice-mild".into(), "pair-clear".into()],
            note: Some("less oil".into()),
        };
        cart.add_line(&line);
        assert_eq!(cart.lines.len(), 2);
        assert_eq!(cart.lines[1].qty, 3);
        assert_eq!(cart.lines[0].qty, 1, "other lines untouched");
    }

    #[test]
    fn quantity_zero_removes_and_quantities_are_capped() {
        let mut cart = Cart::default();
        cart.add("beef-tripe", vec![], "");
        let line = cart.lines[0].line_id;
        cart.set_qty(line, 500);
        assert_eq!(cart.lines[0].qty, MAX_QTY);
        cart.set_qty(line, 0);
        assert!(cart.is_empty());
    }

    #[test]
    fn a_stored_cart_with_absurd_quantities_saturates_instead_of_overflowing() {
        // Found by the stored_record fuzz target: `sum()` overflowed.
        let stored = r#"{"lines":[
            {"line_id":1,"item_id":"beef-tripe","qty":9223372036854775807,"options":[]},
            {"line_id":2,"item_id":"beef-tripe","qty":9223372036854775807,"options":[]}]}"#;
        let cart: Cart = serde_json::from_str(stored).expect("a cart");
        assert_eq!(cart.count(), i64::MAX);
        assert_eq!(cart.total_minor(&menu()), i64::MAX);
    }

    #[test]
    fn only_a_cart_not_yet_started_takes_the_remembered_name() {
        let profile = Profile {
            pickup_name: "Li Wei".into(),
        };
        let mut fresh = Cart::emptied(3);
        fresh.prefill(&profile);
        assert_eq!(fresh.pickup_name, "Li Wei");
        assert_eq!(fresh.revision, 4, "prefilling is not an edit");

        let mut named = Cart::default();
        named.set_pickup_name("Zhang");
        named.prefill(&profile);
        assert_eq!(named.pickup_name, "Zhang");

        let mut started = Cart::default();
        started.add("beef-tripe", vec![], "");
        started.prefill(&profile);
        assert_eq!(started.pickup_name, "");
    }

    #[test]
    fn a_cart_survives_storage_as_json() {
        let mut cart = Cart::default();
        cart.add("potato-slices", vec![], "crispy");
        cart.note = "生日".into();
        let back: Cart =
            serde_json::from_str(&serde_json::to_string(&cart).expect("json")).expect("parse");
        assert_eq!(back, cart);
    }
}
