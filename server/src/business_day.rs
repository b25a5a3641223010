//! The restaurant's trading day: order numbers restart each day, and a
//! late-night service past midnight still belongs to the evening it began.

use time::{Duration, OffsetDateTime, UtcOffset};

/// Local hour at which a new trading day begins.
pub const DAY_STARTS_AT_HOUR: i64 = 4;

/// `YYYY-MM-DD` of the trading day `instant` falls in.
pub fn business_day(instant: OffsetDateTime, utc_offset_minutes: i16) -> String {
    let offset =
        UtcOffset::from_whole_seconds(i32::from(utc_offset_minutes) * 60).unwrap_or(UtcOffset::UTC);
    let local = instant.to_offset(offset) - Duration::hours(DAY_STARTS_AT_HOUR);
    let date = local.date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::business_day;

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
