//! A ticket's age timer: it starts when the order arrives and changes colour
//! at two thresholds (kitchen convention: yellow at 5 min, red at 10).
//!
//! The server sends the two instants at which a ticket turns, so the page
//! only compares them with its clock each second.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// When tickets turn "warning" and "late". `warn` ≤ `late` is checked at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeThresholds {
    pub warn: Duration,
    pub late: Duration,
}

impl Default for AgeThresholds {
    fn default() -> Self {
        Self {
            warn: Duration::minutes(5),
            late: Duration::minutes(10),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("the warning threshold ({warn} min) must be below the late one ({late} min)")]
pub struct ThresholdsOutOfOrder {
    pub warn: u32,
    pub late: u32,
}

impl AgeThresholds {
    pub fn from_minutes(warn: u32, late: u32) -> Result<Self, ThresholdsOutOfOrder> {
        if warn == 0 || warn >= late {
            return Err(ThresholdsOutOfOrder { warn, late });
        }
        Ok(Self {
            warn: Duration::minutes(warn.into()),
            late: Duration::minutes(late.into()),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgeColour {
    Fresh,
    Warning,
    Late,
}

/// A ticket's timer, as the instants at which it changes colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AgeTimer {
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub warn_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub late_at: OffsetDateTime,
}

impl AgeTimer {
    pub fn new(started_at: OffsetDateTime, thresholds: AgeThresholds) -> Self {
        Self {
            started_at,
            warn_at: started_at + thresholds.warn,
            late_at: started_at + thresholds.late,
        }
    }

    pub fn colour_at(&self, now: OffsetDateTime) -> AgeColour {
        if now >= self.late_at {
            AgeColour::Late
        } else if now >= self.warn_at {
            AgeColour::Warning
        } else {
            AgeColour::Fresh
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOON: OffsetDateTime = datetime!(2026-11-23 04:00 UTC);

    #[test]
    fn a_ticket_turns_at_each_threshold_exactly() {
        let timer = AgeTimer::new(NOON, AgeThresholds::default());
        let at = |seconds| timer.colour_at(NOON + Duration::seconds(seconds));
        assert_eq!(at(0), AgeColour::Fresh);
        assert_eq!(at(299), AgeColour::Fresh);
        assert_eq!(at(300), AgeColour::Warning);
        assert_eq!(at(599), AgeColour::Warning);
        assert_eq!(at(600), AgeColour::Late);
    }

    #[test]
    fn thresholds_are_configurable_but_must_be_in_order() {
        let custom = AgeThresholds::from_minutes(3, 8).expect("in order");
        let timer = AgeTimer::new(NOON, custom);
        assert_eq!(
            timer.colour_at(NOON + Duration::minutes(4)),
            AgeColour::Warning
        );
        assert_eq!(
            timer.colour_at(NOON + Duration::minutes(8)),
            AgeColour::Late
        );
        assert!(AgeThresholds::from_minutes(10, 5).is_err());
        assert!(AgeThresholds::from_minutes(5, 5).is_err());
        assert!(AgeThresholds::from_minutes(0, 5).is_err());
    }
}
