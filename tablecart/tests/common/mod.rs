//! Helpers for the specifications: a fixed clock, phones and dishes.

#![allow(dead_code)]

use time::{Duration, OffsetDateTime, macros::datetime};
use wendan_tablecart::{Change, Diner, LineId, Mutation, NewLine, PhoneId};

/// Minutes after 18:00 on a hotpot evening.
pub fn at(minutes: i64) -> OffsetDateTime {
    datetime!(2025-01-17 18:00 +08:00) + Duration::minutes(minutes)
}

pub fn phone(name: &str) -> PhoneId {
    PhoneId::new(format!("phone-{name}"))
}

pub fn diner(name: &str) -> Diner {
    Diner::new(name, "🐼")
}

pub fn line(id: &str) -> LineId {
    LineId::new(id)
}

pub fn add(id: &str, item: &str) -> Change {
    Change::AddLine(NewLine {
        id: line(id),
        item_id: item.into(),
        options: vec![],
        note: None,
        qty: 1,
        unit_price_minor: 3800,
        menu_version: "m1".into(),
    })
}

pub fn qty(id: &str, delta: i32) -> Change {
    Change::ChangeQty {
        line: line(id),
        delta,
    }
}

pub fn edit(id: &str, option: &str) -> Change {
    Change::EditLine {
        line: line(id),
        options: vec![option.into()],
        note: Some("少辣".into()),
        unit_price_minor: 4200,
        menu_version: "m1".into(),
    }
}

pub fn confirm(id: &str) -> Change {
    Change::ConfirmLine { line: line(id) }
}

pub fn remove(id: &str) -> Change {
    Change::RemoveLine { line: line(id) }
}

/// Mutation `seq` of phone `who`, made while round `round` was open.
pub fn m(who: &str, seq: u64, round: u32, change: Change) -> Mutation {
    Mutation {
        phone: phone(who),
        seq,
        round,
        by: diner(who),
        change,
    }
}
