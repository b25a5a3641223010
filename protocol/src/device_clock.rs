//! What the server makes of the two timestamps a phone sends with an order.
//!
//! `client.created_at` and `client.sent_at` come from the phone's clock,
//! which may be minutes wrong, or hours with a wrong time zone. Their
//! difference, the order's age on the phone, is right whatever the clock
//! says. Their distance from the server's clock says how wrong the clock is
//! — or that an old order is passed off as new with a `sent_at` copied from
//! `created_at`, which looks exactly like a slow clock. So the server trusts
//! a phone to be up to [`MAX_TRUSTED_LAG`] behind and counts any further lag
//! as the order's age; a phone's clock may be ahead by up to
//! [`MAX_CLOCK_AHEAD`], which cannot hide an order's age; and a `sent_at`
//! before `created_at` is no clock at all.

use time::{Duration, OffsetDateTime};

use crate::problem::FieldError;
use crate::validation::Violation;
use crate::{Menu, OrderRequest};

/// How far behind the server's clock a phone's may be and still be taken at
/// its word; it also covers the request's own time on the network.
pub const MAX_TRUSTED_LAG: Duration = Duration::minutes(15);
/// How far ahead a phone's clock may be: the widest gap between two time
/// zones (UTC−12 to UTC+14), for a phone set to the wrong one.
pub const MAX_CLOCK_AHEAD: Duration = Duration::hours(26);

/// How old an order may be when it reaches the server: the menu's limit.
pub fn max_age(menu: &Menu) -> Duration {
    Duration::seconds(i64::from(menu.max_order_age_secs))
}

/// A phone's clock as one order shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceClock {
    /// `sent_at − created_at`: how long the order waited on the phone.
    pub age_on_device: Duration,
    /// `received_at − sent_at`: how far the phone's clock is behind the
    /// server's (negative: ahead), plus the request's time on the network.
    pub lag: Duration,
}

/// Timestamps no phone's clock could have written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("`sent_at` is before `created_at`")]
    SentBeforeCreated,
    #[error("the phone's clock is {0} ahead of the restaurant's")]
    TooFarAhead(Duration),
}

impl DeviceClock {
    /// Reads `order`'s timestamps against the server's `received_at`.
    pub fn read(order: &OrderRequest, received_at: OffsetDateTime) -> Result<Self, ClockError> {
        let age_on_device = order.age_on_device();
        if age_on_device.is_negative() {
            return Err(ClockError::SentBeforeCreated);
        }
        let lag = received_at - order.client.sent_at;
        if lag < -MAX_CLOCK_AHEAD {
            return Err(ClockError::TooFarAhead(-lag));
        }
        Ok(Self { age_on_device, lag })
    }

    /// The order's age as the server must assume it: the phone's own
    /// measure, plus whatever lag is more than a slow clock explains.
    pub fn assumed_age(&self) -> Duration {
        let unexplained = (self.lag - MAX_TRUSTED_LAG).max(Duration::ZERO);
        self.age_on_device.saturating_add(unexplained)
    }

    /// When the diner placed the order, on the server's clock: the phone's
    /// own measure of the wait, so a wrong clock does not distort it.
    pub fn placed_at(&self, received_at: OffsetDateTime) -> OffsetDateTime {
        received_at
            .checked_sub(self.age_on_device)
            .unwrap_or(received_at)
    }
}

impl ClockError {
    /// The problem as a field error of an invalid order.
    pub fn field_error(self) -> FieldError {
        let violation = match self {
            ClockError::SentBeforeCreated => Violation::SentBeforeCreated,
            ClockError::TooFarAhead(_) => Violation::DeviceClockWrong,
        };
        violation.at("/client/sent_at", self.to_string())
    }
}

/// The field error for a phone whose clock is `lag` behind the server's:
/// too far to tell its orders' age.
pub fn too_far_behind(lag: Duration) -> FieldError {
    Violation::DeviceClockWrong.at(
        "/client/sent_at",
        format!(
            "the phone's clock is {} min behind the restaurant's; set it to automatic time",
            lag.whole_minutes()
        ),
    )
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::fixtures::{dine_in, line};

    const NOW: OffsetDateTime = datetime!(2026-11-23 04:00 UTC);

    fn sent(created: OffsetDateTime, sent: OffsetDateTime) -> OrderRequest {
        let mut order = dine_in(vec![line("pot", 1, &[])], created, 100);
        order.client.sent_at = sent;
        order
    }

    #[test]
    fn the_age_is_the_phones_own_whatever_its_clock_says() {
        for skew in [Duration::ZERO, Duration::hours(-9), Duration::minutes(10)] {
            let device_now = NOW - skew;
            let order = sent(device_now - Duration::seconds(90), device_now);
            let clock = DeviceClock::read(&order, NOW).expect("readable");
            assert_eq!(clock.age_on_device, Duration::seconds(90));
            assert_eq!(clock.placed_at(NOW), NOW - Duration::seconds(90));
            assert_eq!(clock.assumed_age(), Duration::seconds(90), "{skew}");
        }
    }

    #[test]
    fn lag_past_what_a_slow_clock_explains_counts_as_age() {
        let stale = NOW - Duration::hours(2);
        let clock = DeviceClock::read(&sent(stale, stale), NOW).expect("readable");
        assert_eq!(clock.age_on_device, Duration::ZERO);
        assert_eq!(clock.assumed_age(), Duration::minutes(105));
        assert_eq!(clock.placed_at(NOW), NOW);
    }

    #[test]
    fn impossible_timestamps_are_refused() {
        assert_eq!(
            DeviceClock::read(&sent(NOW, NOW - Duration::seconds(1)), NOW),
            Err(ClockError::SentBeforeCreated)
        );
        let far = datetime!(9999-12-31 23:59:59 UTC);
        assert!(matches!(
            DeviceClock::read(&sent(far, far), NOW),
            Err(ClockError::TooFarAhead(_))
        ));
        let year_zero = datetime!(0000-01-01 00:00 UTC);
        let clock = DeviceClock::read(&sent(year_zero, year_zero), NOW).expect("readable");
        assert!(clock.assumed_age() > Duration::days(365 * 2000));
        assert_eq!(
            ClockError::SentBeforeCreated.field_error().code,
            "sent_before_created"
        );
    }
}
