//! What an order costs, computed from a menu. The server prices every order
//! from its own menu and never trusts the device's total.

use crate::menu::Menu;
use crate::order::{OrderLine, OrderRequest};
use crate::placed_order::{PricedLine, PricedOption};
use crate::problem::{ChangedLine, FieldError};
use crate::validation::validate;

#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub lines: Vec<PricedLine>,
    pub total_minor: i64,
}

/// Validates and prices `order` against `menu`.
pub fn quote(menu: &Menu, order: &OrderRequest) -> Result<Quote, Vec<FieldError>> {
    let errors = validate(menu, order);
    if !errors.is_empty() {
        return Err(errors);
    }
    let lines: Vec<PricedLine> = order
        .items
        .iter()
        .filter_map(|line| price_line(menu, line))
        .collect();
    let total_minor = lines.iter().fold(0i64, |total, line| {
        total.saturating_add(line.line_total_minor)
    });
    Ok(Quote { lines, total_minor })
}

/// One line's price, or `None` if its item is not on `menu`.
pub fn price_line(menu: &Menu, line: &OrderLine) -> Option<PricedLine> {
    let item = menu.item(&line.item_id)?;
    let options: Vec<PricedOption> = line
        .options
        .iter()
        .filter_map(|option_id| item.option(option_id))
        .map(|(_, option)| PricedOption {
            id: option.id.clone(),
            name: option.name.clone(),
            price_delta_minor: option.price_delta_minor,
        })
        .collect();
    let unit_price_minor = options.iter().fold(item.price_minor, |price, option| {
        price.saturating_add(option.price_delta_minor)
    });
    Some(PricedLine {
        item_id: item.id.clone(),
        name: item.name.clone(),
        qty: line.qty,
        options,
        unit_price_minor,
        line_total_minor: unit_price_minor.saturating_mul(line.qty),
        note: line.note.clone(),
    })
}

/// Lines whose unit price under `now` differs from under `then` (the menu the
/// diner saw), for the `menu-changed` answer. Lines missing from `then` count
/// as changed.
pub fn changed_lines(then: Option<&Menu>, now: &Quote, order: &OrderRequest) -> Vec<ChangedLine> {
    order
        .items
        .iter()
        .zip(&now.lines)
        .enumerate()
        .filter(|(_, (line, priced))| {
            let before = then.and_then(|menu| price_line(menu, line));
            before.map(|before| before.unit_price_minor) != Some(priced.unit_price_minor)
        })
        .map(|(index, (_, priced))| ChangedLine {
            pointer: format!("/items/{index}"),
            item_id: priced.item_id.clone(),
            unit_price_minor: priced.unit_price_minor,
        })
        .collect()
}
