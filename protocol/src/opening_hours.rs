//! When a restaurant takes orders, in its own local time.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

const MINUTES_PER_DAY: u16 = 24 * 60;

/// Daily opening periods in the restaurant's local time, e.g. China's UTC+8.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpeningHours {
    /// The restaurant's offset from UTC in minutes (480 for Beijing time).
    pub utc_offset_minutes: i16,
    pub periods: Vec<OpeningPeriod>,
}

/// `open`–`close` as `HH:MM`. A `close` at or before `open` runs past
/// midnight (a late-night hotpot open `17:00`–`02:00`); `24:00` ends the day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpeningPeriod {
    pub open: String,
    pub close: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a time of day as HH:MM between 00:00 and 24:00")]
pub struct BadTimeOfDay(pub String);

impl OpeningHours {
    /// Whether orders are taken at `instant`. Periods that cannot be parsed
    /// count as closed; [`OpeningHours::check`] reports them when a menu loads.
    pub fn is_open_at(&self, instant: OffsetDateTime) -> bool {
        let local_minutes = local_minute_of_day(instant, self.utc_offset_minutes);
        self.periods.iter().any(|period| {
            let (Ok(open), Ok(close)) = (minutes(&period.open), minutes(&period.close)) else {
                return false;
            };
            if open < close {
                (open..close).contains(&local_minutes)
            } else {
                local_minutes >= open || local_minutes < close
            }
        })
    }

    /// Rejects periods that are not valid `HH:MM` times.
    pub fn check(&self) -> Result<(), BadTimeOfDay> {
        for period in &self.periods {
            minutes(&period.open)?;
            minutes(&period.close)?;
        }
        Ok(())
    }
}

fn local_minute_of_day(instant: OffsetDateTime, utc_offset_minutes: i16) -> u16 {
    let utc_minutes = i32::from(instant.hour()) * 60 + i32::from(instant.minute())
        - instant.offset().whole_minutes() as i32;
    let local =
        (utc_minutes + i32::from(utc_offset_minutes)).rem_euclid(i32::from(MINUTES_PER_DAY));
    local as u16
}

fn minutes(time_of_day: &str) -> Result<u16, BadTimeOfDay> {
    let bad = || BadTimeOfDay(time_of_day.to_owned());
    let (hours, mins) = time_of_day.split_once(':').ok_or_else(bad)?;
    let hours: u16 = hours.parse().map_err(|_| bad())?;
    let mins: u16 = mins.parse().map_err(|_| bad())?;
    // Range first: `hours * 60` overflows a u16 from 1093 hours on.
    if hours > 24 || mins >= 60 || hours * 60 + mins > MINUTES_PER_DAY {
        return Err(bad());
    }
    Ok(hours * 60 + mins)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn hours(open: &str, close: &str) -> OpeningHours {
        OpeningHours {
            utc_offset_minutes: 480,
            periods: vec![OpeningPeriod {
                open: open.into(),
                close: close.into(),
            }],
        }
    }

    #[test]
    fn open_during_the_day_in_local_time() {
        let lunch = hours("11:00", "14:00");
        // 12:30 in Beijing is 04:30 UTC.
        assert!(lunch.is_open_at(datetime!(2026-11-23 04:30 UTC)));
        assert!(!lunch.is_open_at(datetime!(2026-11-23 06:00 UTC)));
        assert!(!lunch.is_open_at(datetime!(2026-11-23 02:59 UTC)));
    }

    #[test]
    fn periods_may_run_past_midnight() {
        let late = hours("17:00", "02:00");
        assert!(late.is_open_at(datetime!(2026-11-23 17:30 UTC))); // 01:30 local
        assert!(late.is_open_at(datetime!(2026-11-23 10:00 UTC))); // 18:00 local
        assert!(!late.is_open_at(datetime!(2026-11-23 19:00 UTC))); // 03:00 local
    }

    #[test]
    fn all_day_is_always_open() {
        let always = hours("00:00", "24:00");
        assert!(always.is_open_at(datetime!(2026-11-23 15:59 UTC)));
        assert!(always.is_open_at(datetime!(2026-11-23 16:00 UTC)));
    }

    #[test]
    fn malformed_times_are_reported() {
        assert!(hours("25:00", "26:00").check().is_err());
        assert!(hours("11:60", "12:00").check().is_err());
        assert!(hours("noon", "12:00").check().is_err());
        assert!(hours("11:00", "24:00").check().is_ok());
    }

    #[test]
    fn absurd_hours_are_malformed_not_an_overflow() {
        // Found by the menu fuzz target: 1093 × 60 overflowed a u16 (a panic
        // in debug builds, and in release a wrap to `00:44` that passed).
        assert!(hours("1093:00", "12:00").check().is_err());
        assert!(hours("65535:59", "12:00").check().is_err());
        assert!(!hours("1093:00", "24:00").is_open_at(datetime!(2026-11-23 04:30 UTC)));
    }
}
