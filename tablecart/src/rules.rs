//! How one mutation changes the lines: the same function on the phone (its
//! preview) and on the server (the truth), so the two can only disagree
//! about what the phone had not yet seen.

use time::OffsetDateTime;
use wendan_protocol::limits::{MAX_NOTE_CHARS, fits, is_plain_id};

use crate::ids::LineId;
use crate::line::{Line, NewLine};
use crate::mutation::{Change, Mutation};
use crate::outcome::{Field, Gone, Rejection};
use crate::{MAX_LINE_QTY, MAX_LINES};

/// Options on one line: more than any menu's groups allow.
const MAX_OPTIONS: usize = 16;
/// Item and option ids, menu versions: generous, but bounded.
const MAX_ID_CHARS: usize = 64;
const MAX_MENU_VERSION_CHARS: usize = 128;

/// What an applied change did to the lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    Added,
    Changed,
    /// The line left the cart (removed, or its quantity reached zero).
    Removed,
}

/// Applies `mutation` to `lines` at `now`, or says why not. `gone` says why
/// a line that is not in `lines` left, or `None` if it was never here.
pub(crate) fn apply(
    lines: &mut Vec<Line>,
    mutation: &Mutation,
    now: OffsetDateTime,
    gone: impl Fn(&LineId) -> Option<Gone>,
) -> Result<Effect, Rejection> {
    validate(mutation)?;
    let id = mutation.change.line();
    let index = match &mutation.change {
        Change::AddLine(new) => return add(lines, mutation, new, now, gone),
        _ => lines
            .iter()
            .position(|line| &line.id == id)
            .ok_or_else(|| Rejection::LineGone {
                line: id.clone(),
                why: gone(id).unwrap_or(Gone::Unknown),
            })?,
    };
    let line = &mut lines[index];
    let is_adder = line.added_by_phone == mutation.phone;
    let not_yours = |line: &Line| Rejection::NotYours {
        line: line.id.clone(),
        added_by: line.added_by.clone(),
    };
    match &mutation.change {
        Change::ChangeQty { delta, .. } => {
            let qty = i64::from(line.qty) + i64::from(*delta);
            if qty <= 0 {
                lines.remove(index);
                return Ok(Effect::Removed);
            }
            line.qty = u32::try_from(qty)
                .ok()
                .filter(|qty| *qty <= MAX_LINE_QTY)
                .ok_or(Rejection::QuantityTooLarge { max: MAX_LINE_QTY })?;
        }
        Change::EditLine {
            options,
            note,
            unit_price_minor,
            menu_version,
            ..
        } => {
            if !is_adder && !line.confirmed {
                return Err(not_yours(line));
            }
            line.options.clone_from(options);
            line.note.clone_from(note);
            line.unit_price_minor = *unit_price_minor;
            line.menu_version.clone_from(menu_version);
        }
        Change::ConfirmLine { .. } => {
            if !is_adder {
                return Err(not_yours(line));
            }
            line.confirmed = true;
        }
        Change::RemoveLine { .. } => {
            lines.remove(index);
            return Ok(Effect::Removed);
        }
        // Returned above; listed so the match stays exhaustive.
        Change::AddLine(_) => return Ok(Effect::Added),
    }
    line.touched_at = now;
    Ok(Effect::Changed)
}

/// A new line, under an id this table has never seen: an id that left the
/// cart stays taken, so a late duplicate add cannot bring a line back.
fn add(
    lines: &mut Vec<Line>,
    mutation: &Mutation,
    new: &NewLine,
    now: OffsetDateTime,
    gone: impl Fn(&LineId) -> Option<Gone>,
) -> Result<Effect, Rejection> {
    if lines.iter().any(|line| line.id == new.id) || gone(&new.id).is_some() {
        return Err(Rejection::LineIdTaken {
            line: new.id.clone(),
        });
    }
    if lines.len() >= MAX_LINES {
        return Err(Rejection::CartFull { max: MAX_LINES });
    }
    lines.push(Line {
        id: new.id.clone(),
        item_id: new.item_id.clone(),
        options: new.options.clone(),
        note: new.note.clone(),
        qty: new.qty,
        unit_price_minor: new.unit_price_minor,
        menu_version: new.menu_version.clone(),
        added_by: mutation.by.clone(),
        added_by_phone: mutation.phone.clone(),
        confirmed: false,
        touched_at: now,
    });
    Ok(Effect::Added)
}

/// Checks what a mutation carries, before it touches anything: the server
/// stores what it applies, so nothing unbounded or malformed gets in.
pub(crate) fn validate(mutation: &Mutation) -> Result<(), Rejection> {
    let check = |ok: bool, field: Field| {
        if ok {
            Ok(())
        } else {
            Err(Rejection::Invalid(field))
        }
    };
    let id_ok = |id: &str| is_plain_id(id) && id.len() <= MAX_ID_CHARS;
    let options_ok =
        |options: &[String]| options.len() <= MAX_OPTIONS && options.iter().all(|o| id_ok(o));
    let note_ok = |note: &Option<String>| {
        note.as_deref()
            .is_none_or(|note| fits(note, MAX_NOTE_CHARS))
    };
    let version_ok = |version: &str| fits(version, MAX_MENU_VERSION_CHARS);
    check(mutation.phone.is_valid(), Field::Phone)?;
    check(mutation.by.is_valid(), Field::Diner)?;
    check(mutation.change.line().is_valid(), Field::Line)?;
    match &mutation.change {
        Change::AddLine(new) => {
            check(id_ok(&new.item_id), Field::Item)?;
            check(options_ok(&new.options), Field::Options)?;
            check(note_ok(&new.note), Field::Note)?;
            check(new.qty >= 1, Field::Quantity)?;
            if new.qty > MAX_LINE_QTY {
                return Err(Rejection::QuantityTooLarge { max: MAX_LINE_QTY });
            }
            check(new.unit_price_minor >= 0, Field::Price)?;
            check(version_ok(&new.menu_version), Field::MenuVersion)
        }
        Change::ChangeQty { delta, .. } => check(*delta != 0, Field::Quantity),
        Change::EditLine {
            options,
            note,
            unit_price_minor,
            menu_version,
            ..
        } => {
            check(options_ok(options), Field::Options)?;
            check(note_ok(note), Field::Note)?;
            check(*unit_price_minor >= 0, Field::Price)?;
            check(version_ok(menu_version), Field::MenuVersion)
        }
        Change::ConfirmLine { .. } | Change::RemoveLine { .. } => Ok(()),
    }
}
