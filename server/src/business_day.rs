//! The restaurant's trading day: order numbers restart each day, and a
//! late-night service past midnight still belongs to the evening it began.

use time::{Date, Duration, OffsetDateTime, Time, UtcOffset};

/// Local hour at which a new trading day begins.
pub const DAY_STARTS_AT_HOUR: i64 = 4;

/// `YYYY-MM-DD` of the trading day `instant` falls in.
pub fn business_day(instant: OffsetDateTime, utc_offset_minutes: i16) -> String {
    let local = instant.to_offset(offset(utc_offset_minutes)) - Duration::hours(DAY_STARTS_AT_HOUR);
    let date = local.date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The restaurant's UTC offset; an impossible one reads as UTC.
pub fn offset(utc_offset_minutes: i16) -> UtcOffset {
    UtcOffset::from_whole_seconds(i32::from(utc_offset_minutes) * 60).unwrap_or(UtcOffset::UTC)
}

/// When the trading day `day` begins and the next one does, in its offset;
/// `None` at the end of the calendar, where the next day cannot be written.
pub fn bounds(day: Date, utc_offset_minutes: i16) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let start = day
        .with_time(Time::MIDNIGHT)
        .assume_offset(offset(utc_offset_minutes))
        .checked_add(Duration::hours(DAY_STARTS_AT_HOUR))?;
    Some((start, start.checked_add(Duration::days(1))?))
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::{bounds, business_day};

    #[test]
    fn the_last_day_of_the_calendar_has_no_end() {
        assert_eq!(bounds(date!(9999 - 12 - 31), 480), None);
        assert!(bounds(date!(9999 - 12 - 30), 480).is_some());
    }

    #[test]
    fn a_trading_day_runs_from_four_to_four_local_time() {
        let (start, end) = bounds(date!(2026 - 11 - 23), 480).expect("in range");
        assert_eq!(start, datetime!(2026-11-22 20:00 UTC));
        assert_eq!(end, datetime!(2026-11-23 20:00 UTC));
        assert_eq!(business_day(start, 480), "2026-11-23");
        assert_eq!(
            business_day(end - time::Duration::nanoseconds(1), 480),
            "2026-11-23"
        );
        assert_eq!(business_day(end, 480), "2026-11-24");
    }

    #[test]
    fn one_in_the_morning_in_beijing_is_still_the_evening_before() {
        // 01:00 on the 24th, Beijing time.
        assert_eq!(
            business_day(datetime!(2026-11-23 17:00 UTC), 480),
            "2026-11-23"
        );
        // 05:00 on the 24th, Beijing time.
        assert_eq!(
            business_day(datetime!(2026-11-23 21:00 UTC), 480),
            "2026-11-24"
        );
    }
}
