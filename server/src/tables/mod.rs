//! The restaurant's tables: each has a QR code that opens the widget with
//! `?table=<id>&code=<secret>`, so a diner's order names the table without
//! typing it, and only someone who scanned the code on the table can order
//! to it (a table id alone, read off a receipt or guessed, is refused).

pub mod visits;

use std::cmp::Ordering;

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use utoipa::ToSchema;
use wendan_protocol::limits::{MAX_TABLE_CHARS, MAX_TABLE_LABEL_CHARS, fits, is_plain_id};

/// More seats than any table has; catches a typo.
pub const MAX_SEATS: u16 = 100;

/// One table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DiningTable {
    /// What the QR code puts in `?table=`: letters, digits, `-` and `_`.
    #[schema(example = "A12")]
    pub id: String,
    /// Shown to staff, e.g. "窗边 Window".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seats: Option<u16>,
    /// The table's secret, in its QR link as `?code=`; made by the database
    /// for a new table (`AdminStore::put_table`), replaced by "New code".
    /// Never in JSON by itself: the admin API lists the table's link.
    #[serde(skip)]
    #[schema(ignore)]
    pub code: String,
}

/// Why a table cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("a table needs an id")]
    EmptyId,
    #[error("a table id is at most {MAX_TABLE_CHARS} characters")]
    IdTooLong,
    #[error("a table id may hold only letters, digits, `-` and `_`")]
    IdCharacters,
    #[error("a label is at most {MAX_TABLE_LABEL_CHARS} characters")]
    LabelTooLong,
    #[error("seats must be between 1 and {MAX_SEATS}")]
    Seats,
}

impl DiningTable {
    /// Trims the fields, drops an empty label, and checks every rule: the id
    /// goes into a URL and into orders, so it must stay plain.
    pub fn checked(self) -> Result<Self, TableError> {
        let id = self.id.trim().to_owned();
        if id.is_empty() {
            return Err(TableError::EmptyId);
        }
        if !fits(&id, MAX_TABLE_CHARS) {
            return Err(TableError::IdTooLong);
        }
        if !is_plain_id(&id) {
            return Err(TableError::IdCharacters);
        }
        let label = self
            .label
            .map(|label| label.trim().to_owned())
            .filter(|label| !label.is_empty());
        if label
            .as_ref()
            .is_some_and(|label| !fits(label, MAX_TABLE_LABEL_CHARS))
        {
            return Err(TableError::LabelTooLong);
        }
        if self
            .seats
            .is_some_and(|seats| seats == 0 || seats > MAX_SEATS)
        {
            return Err(TableError::Seats);
        }
        Ok(Self {
            id,
            label,
            seats: self.seats,
            code: self.code,
        })
    }

    /// The widget's address for this table, as its QR code carries it. The
    /// id is URL-safe by `checked`, the code by how it is made (hex digits).
    pub fn widget_url(&self, public_url: &str) -> String {
        format!(
            "{}/?table={}&code={}",
            public_url.trim_end_matches('/'),
            self.id,
            self.code
        )
    }

    /// Whether `presented` is this table's current code, compared in
    /// constant time. A table without a code takes no dine-in order.
    pub fn code_matches(&self, presented: Option<&str>) -> bool {
        let Some(presented) = presented.map(str::trim) else {
            return false;
        };
        !self.code.is_empty() && bool::from(self.code.as_bytes().ct_eq(presented.as_bytes()))
    }
}

/// A new table code: 128 random bits from the OS as 32 lowercase hex digits,
/// like the ones the database makes (migration 0007).
pub fn new_code() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// The demo restaurant's tables, there from its first start: A1–A12 in the
/// main room (four seats), B1–B8 by the window (two).
pub fn demo_tables() -> Vec<DiningTable> {
    let room = |prefix: &str, count: u16, label: &str, seats: u16| {
        (1..=count)
            .map(|n| DiningTable {
                id: format!("{prefix}{n}"),
                label: Some(label.to_owned()),
                seats: Some(seats),
                code: String::new(),
            })
            .collect::<Vec<_>>()
    };
    let mut tables = room("A", 12, "大厅 Hall", 4);
    tables.extend(room("B", 8, "窗边 Window", 2));
    tables
}

/// Staff order: A2 before A10, then B1.
pub fn sort(tables: &mut [DiningTable]) {
    tables.sort_by(|a, b| natural_cmp(&a.id, &b.id));
}

/// Compares runs of digits by value and everything else by character.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let number = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
                    let mut digits = String::new();
                    while let Some(c) = chars.next_if(char::is_ascii_digit) {
                        digits.push(c);
                    }
                    let trimmed = digits.trim_start_matches('0').to_owned();
                    (trimmed.len(), trimmed)
                };
                match number(&mut a).cmp(&number(&mut b)) {
                    Ordering::Equal => {}
                    other => return other,
                }
            }
            (Some(x), Some(y)) => {
                a.next();
                b.next();
                match x.cmp(&y) {
                    Ordering::Equal => {}
                    other => return other,
                }
            }
        }
    }
}

/// A QR code for `url` as an inline `<svg>` element named `label` for screen
/// readers (no XML prologue, no fixed size: the page's CSS sizes it; print
/// stays sharp).
pub fn qr_svg(url: &str, label: &str) -> Result<String, qrcode::types::QrError> {
    // Level M survives a smudge or a fold; a table URL stays short enough.
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)?;
    let image = code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    let start = image.find("<svg").unwrap_or(0);
    let mut name = String::new();
    // Writing to a String cannot fail.
    let _ = std::fmt::Write::write_str(&mut maud::Escaper::new(&mut name), label);
    let opening = format!("<svg class=\"qr\" role=\"img\" aria-label=\"{name}\" ");
    Ok(image[start..].replacen("<svg ", &opening, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(id: &str) -> DiningTable {
        DiningTable {
            id: id.to_owned(),
            label: None,
            seats: None,
            code: "0123456789abcdef0123456789abcdef".to_owned(),
        }
    }

    #[test]
    fn ids_are_trimmed_and_must_stay_url_safe() {
        assert_eq!(table(" A12 ").checked().map(|t| t.id), Ok("A12".to_owned()));
        assert_eq!(table("").checked(), Err(TableError::EmptyId));
        assert_eq!(table("A 1").checked(), Err(TableError::IdCharacters));
        assert_eq!(table("A&x=1").checked(), Err(TableError::IdCharacters));
        assert_eq!(table(&"A".repeat(33)).checked(), Err(TableError::IdTooLong));
    }

    #[test]
    fn an_empty_label_is_no_label_and_seats_are_bounded() {
        let mut with_label = table("B1");
        with_label.label = Some("  ".to_owned());
        assert_eq!(with_label.checked().map(|t| t.label), Ok(None));
        let mut no_seats = table("B1");
        no_seats.seats = Some(0);
        assert_eq!(no_seats.checked(), Err(TableError::Seats));
    }

    #[test]
    fn the_demo_tables_are_valid_and_cover_the_tests_tables() {
        let tables = demo_tables();
        assert_eq!(tables.len(), 20);
        for table in &tables {
            assert_eq!(table.clone().checked().as_ref(), Ok(table));
        }
        for id in ["A1", "A3", "A12", "B2", "B7", "B8"] {
            assert!(tables.iter().any(|t| t.id == id), "{id}");
        }
    }

    #[test]
    fn only_the_current_code_matches() {
        let a12 = table("A12");
        assert!(a12.code_matches(Some("0123456789abcdef0123456789abcdef")));
        assert!(a12.code_matches(Some(" 0123456789abcdef0123456789abcdef ")));
        for wrong in [
            None,
            Some(""),
            Some("0123456789abcdef0123456789abcdee"),
            Some("0123456789abcdef"),
        ] {
            assert!(!a12.code_matches(wrong), "{wrong:?}");
        }
        let mut uncoded = table("A1");
        uncoded.code.clear();
        assert!(
            !uncoded.code_matches(Some("")),
            "no code is no table's code"
        );
    }

    #[test]
    fn new_codes_are_url_safe_and_differ() {
        let (a, b) = (new_code().expect("random"), new_code().expect("random"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|byte| byte.is_ascii_hexdigit()));
    }

    #[test]
    fn tables_sort_as_staff_count_them() {
        let mut tables: Vec<_> = ["B1", "A10", "A2", "A02x", "A1"]
            .into_iter()
            .map(table)
            .collect();
        sort(&mut tables);
        let ids: Vec<_> = tables.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["A1", "A2", "A02x", "A10", "B1"]);
    }

    #[test]
    fn the_qr_code_is_an_inline_svg_of_the_widget_url() {
        let url = table("A12").widget_url("https://order.example.com/");
        assert_eq!(
            url,
            "https://order.example.com/?table=A12&code=0123456789abcdef0123456789abcdef"
        );
        let svg = qr_svg(&url, "QR \"A12\"").expect("fits");
        assert!(
            svg.starts_with("<svg class=\"qr\" role=\"img\" aria-label=\"QR &quot;A12&quot;\""),
            "{svg}"
        );
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
        assert!(
            svg.contains("<path fill=\"#000\" d=\"M"),
            "dark modules drawn"
        );
    }
}
