//! The trading day the dashboard shows, read from `?day=`: any text a
//! browser or a script sends, so every step of the calendar arithmetic is
//! checked. A day is shown when it, its span (04:00 to 04:00 local time) and
//! the link to it are all writable: from 1970 (no order is older than Unix
//! time, and PostgreSQL holds no year before 4713 BC) to the day before the
//! calendar's last (`time` writes no year after 9999).

use time::macros::{date, format_description};
use time::{Date, OffsetDateTime};

use crate::business_day::bounds;

/// The first trading day the dashboard shows.
pub const FIRST_DAY: Date = date!(1970 - 01 - 01);

/// A trading day the dashboard can show, with its span and neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShownDay {
    pub date: Date,
    /// When the day begins and the next one does.
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
    /// The days before and after, when they can be shown too.
    pub previous: Option<Date>,
    pub next: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DayError {
    #[error("`day` must be YYYY-MM-DD")]
    Format,
    #[error("`day` must be a date from {FIRST_DAY} to 9999-12-30")]
    OutOfRange,
}

impl ShownDay {
    /// `text` as `YYYY-MM-DD`, in a restaurant at `utc_offset_minutes`.
    pub fn parse(text: &str, utc_offset_minutes: i16) -> Result<Self, DayError> {
        let date = Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
            .map_err(|_| DayError::Format)?;
        Self::of(date, utc_offset_minutes)
    }

    /// `date`, if it can be shown.
    pub fn of(date: Date, utc_offset_minutes: i16) -> Result<Self, DayError> {
        let (from, to) = span(date, utc_offset_minutes).ok_or(DayError::OutOfRange)?;
        let shown = |day: Option<Date>| day.filter(|day| span(*day, utc_offset_minutes).is_some());
        Ok(Self {
            date,
            from,
            to,
            previous: shown(date.previous_day()),
            next: shown(date.next_day()),
        })
    }

    /// The day's name in storage and in links, `YYYY-MM-DD`.
    pub fn name(&self) -> String {
        self.date.to_string()
    }
}

fn span(date: Date, utc_offset_minutes: i16) -> Option<(OffsetDateTime, OffsetDateTime)> {
    (date >= FIRST_DAY)
        .then(|| bounds(date, utc_offset_minutes))
        .flatten()
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn an_ordinary_day_has_its_span_and_both_neighbours() {
        let day = ShownDay::parse(" 2026-11-23 ", 480).expect("a day");
        assert_eq!(day.date, date!(2026 - 11 - 23));
        assert_eq!(day.previous, Some(date!(2026 - 11 - 22)));
        assert_eq!(day.next, Some(date!(2026 - 11 - 24)));
        assert_eq!(day.name(), "2026-11-23");
        assert_eq!(day.to - day.from, time::Duration::days(1));
    }

    #[test]
    fn the_ends_of_the_calendar_are_refused_and_never_linked() {
        for (text, error) in [
            ("9999-12-31", DayError::OutOfRange),
            ("-9999-01-01", DayError::OutOfRange),
            ("0000-01-01", DayError::OutOfRange),
            ("1969-12-31", DayError::OutOfRange),
            ("+10000-01-01", DayError::Format),
            ("2026-02-30", DayError::Format),
            ("2026-11-23T00:00", DayError::Format),
            ("", DayError::Format),
        ] {
            assert_eq!(ShownDay::parse(text, 480), Err(error), "{text}");
        }
        let last = ShownDay::parse("9999-12-30", 840).expect("the last day");
        assert_eq!(last.next, None);
        let first = ShownDay::parse("1970-01-01", -720).expect("the first day");
        assert_eq!(first.previous, None);
    }
}
