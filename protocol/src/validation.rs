//! Is this order something the kitchen can make? One [`FieldError`] per problem,
//! so a diner can fix everything at once.

use std::collections::HashSet;

use crate::limits::{MAX_DEVICE_ID_CHARS, MAX_TABLE_CODE_CHARS, fits, is_device_id};
pub use crate::limits::{MAX_NOTE_CHARS, MAX_PICKUP_NAME_CHARS, MAX_TABLE_CHARS};
use crate::menu::{Item, Menu};
use crate::order::{OrderLine, OrderMode, OrderRequest};
use crate::problem::FieldError;

pub const MAX_QTY: i64 = 99;
pub const MAX_LINES: usize = 100;

/// Stable machine-readable codes; the widget translates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    EmptyOrder,
    TooManyLines,
    UnknownItem,
    SoldOut,
    QtyOutOfRange,
    UnknownOption,
    DuplicateOption,
    TooFewOptions,
    TooManyOptions,
    NoteTooLong,
    TableMissing,
    TableTooLong,
    /// A pickup order naming a table: it would show as "Table …" in the kitchen.
    TableNotAllowed,
    /// No table with this id exists (checked by the server, which has the list).
    UnknownTable,
    /// A table code longer than any the server makes.
    TableCodeTooLong,
    PickupNameMissing,
    PickupNameTooLong,
    /// A dine-in order with a pickup name.
    PickupNameNotAllowed,
    DeviceIdInvalid,
    SentBeforeCreated,
    /// The phone's clock is too far from the server's to tell the order's age.
    DeviceClockWrong,
}

impl Violation {
    pub fn code(self) -> &'static str {
        match self {
            Violation::EmptyOrder => "empty_order",
            Violation::TooManyLines => "too_many_lines",
            Violation::UnknownItem => "unknown_item",
            Violation::SoldOut => "sold_out",
            Violation::QtyOutOfRange => "qty_out_of_range",
            Violation::UnknownOption => "unknown_option",
            Violation::DuplicateOption => "duplicate_option",
            Violation::TooFewOptions => "too_few_options",
            Violation::TooManyOptions => "too_many_options",
            Violation::NoteTooLong => "note_too_long",
            Violation::TableMissing => "table_missing",
            Violation::TableTooLong => "table_too_long",
            Violation::TableNotAllowed => "table_not_allowed",
            Violation::UnknownTable => "unknown_table",
            Violation::TableCodeTooLong => "table_code_too_long",
            Violation::PickupNameMissing => "pickup_name_missing",
            Violation::PickupNameTooLong => "pickup_name_too_long",
            Violation::PickupNameNotAllowed => "pickup_name_not_allowed",
            Violation::DeviceIdInvalid => "device_id_invalid",
            Violation::SentBeforeCreated => "sent_before_created",
            Violation::DeviceClockWrong => "device_clock_wrong",
        }
    }

    pub fn at(self, pointer: impl Into<String>, detail: impl Into<String>) -> FieldError {
        FieldError {
            pointer: pointer.into(),
            code: self.code().to_owned(),
            detail: detail.into(),
        }
    }
}

/// Every problem with `order` against `menu`; empty when the kitchen can make it.
pub fn validate(menu: &Menu, order: &OrderRequest) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_destination(order, &mut errors);
    if !is_device_id(&order.client.device_id) {
        errors.push(Violation::DeviceIdInvalid.at(
            "/client/device_id",
            format!("a device id is 1 to {MAX_DEVICE_ID_CHARS} letters, digits, `-` or `_`"),
        ));
    }
    if order.items.is_empty() {
        errors.push(Violation::EmptyOrder.at("/items", "an order needs at least one item"));
    }
    if order.items.len() > MAX_LINES {
        errors.push(Violation::TooManyLines.at(
            "/items",
            format!("an order may have at most {MAX_LINES} lines"),
        ));
    }
    check_note(order.note.as_deref(), "/note", &mut errors);
    for (index, line) in order.items.iter().enumerate() {
        let pointer = format!("/items/{index}");
        match menu.item(&line.item_id) {
            None => errors.push(Violation::UnknownItem.at(
                format!("{pointer}/item_id"),
                format!("there is no item `{}` on the menu", line.item_id),
            )),
            Some(item) => check_line(item, line, &pointer, &mut errors),
        }
    }
    errors
}

/// Each mode has its own field, required, and must not carry the other's.
fn check_destination(order: &OrderRequest, errors: &mut Vec<FieldError>) {
    let (field, value, limit, missing, too_long) = match order.mode {
        OrderMode::DineIn => (
            "table",
            &order.table,
            MAX_TABLE_CHARS,
            Violation::TableMissing,
            Violation::TableTooLong,
        ),
        OrderMode::Pickup => (
            "pickup_name",
            &order.pickup_name,
            MAX_PICKUP_NAME_CHARS,
            Violation::PickupNameMissing,
            Violation::PickupNameTooLong,
        ),
    };
    let pointer = format!("/{field}");
    match value.as_deref().map(str::trim) {
        None | Some("") => errors.push(missing.at(pointer, format!("`{field}` is required"))),
        Some(text) if !fits(text, limit) => {
            errors.push(too_long.at(pointer, format!("at most {limit} characters")))
        }
        Some(_) => {}
    }
    let (other, other_value, not_allowed) = match order.mode {
        OrderMode::DineIn => (
            "pickup_name",
            &order.pickup_name,
            Violation::PickupNameNotAllowed,
        ),
        OrderMode::Pickup => ("table", &order.table, Violation::TableNotAllowed),
    };
    if other_value.is_some() {
        errors.push(not_allowed.at(
            format!("/{other}"),
            format!("`{other}` does not belong to this kind of order"),
        ));
    }
    match (&order.table_code, order.mode) {
        (Some(code), OrderMode::DineIn) if !fits(code, MAX_TABLE_CODE_CHARS) => {
            errors.push(Violation::TableCodeTooLong.at(
                "/table_code",
                format!("a table code is at most {MAX_TABLE_CODE_CHARS} characters"),
            ))
        }
        (Some(_), OrderMode::Pickup) => errors.push(Violation::TableNotAllowed.at(
            "/table_code",
            "`table_code` does not belong to this kind of order",
        )),
        _ => {}
    }
}

fn check_note(note: Option<&str>, pointer: &str, errors: &mut Vec<FieldError>) {
    if note.is_some_and(|note| !fits(note, MAX_NOTE_CHARS)) {
        errors.push(Violation::NoteTooLong.at(
            pointer,
            format!("a note may have at most {MAX_NOTE_CHARS} characters"),
        ));
    }
}

fn check_line(item: &Item, line: &OrderLine, pointer: &str, errors: &mut Vec<FieldError>) {
    if item.sold_out {
        errors.push(Violation::SoldOut.at(
            format!("{pointer}/item_id"),
            format!("`{}` is sold out", item.id),
        ));
    }
    if !(1..=MAX_QTY).contains(&line.qty) {
        errors.push(Violation::QtyOutOfRange.at(
            format!("{pointer}/qty"),
            format!("quantity must be 1 to {MAX_QTY}"),
        ));
    }
    check_note(line.note.as_deref(), &format!("{pointer}/note"), errors);

    let mut seen = HashSet::new();
    for (index, option_id) in line.options.iter().enumerate() {
        let option_pointer = format!("{pointer}/options/{index}");
        if item.option(option_id).is_none() {
            errors.push(Violation::UnknownOption.at(
                option_pointer,
                format!("`{}` has no option `{option_id}`", item.id),
            ));
        } else if !seen.insert(option_id.as_str()) {
            errors.push(Violation::DuplicateOption.at(
                option_pointer,
                format!("option `{option_id}` is chosen twice"),
            ));
        }
    }
    for group in &item.option_groups {
        let chosen = group
            .options
            .iter()
            .filter(|option| seen.contains(option.id.as_str()))
            .count() as u32;
        if chosen < group.min {
            errors.push(Violation::TooFewOptions.at(
                format!("{pointer}/options"),
                format!("choose at least {} from `{}`", group.min, group.id),
            ));
        } else if chosen > group.max {
            errors.push(Violation::TooManyOptions.at(
                format!("{pointer}/options"),
                format!("choose at most {} from `{}`", group.max, group.id),
            ));
        }
    }
}
