//! When to try again after a failure nobody explained: capped exponential
//! backoff with full jitter (AWS, "Exponential Backoff and Jitter"). Without
//! jitter, a mall's worth of phones whose Wi-Fi returns at once would retry
//! in synchronised waves; full jitter spreads them for the least total work.

use time::Duration;

use crate::Random;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    /// 1 s doubling to at most 60 s.
    fn default() -> Self {
        Self {
            base: Duration::seconds(1),
            cap: Duration::seconds(60),
        }
    }
}

impl Backoff {
    /// The ceiling of the wait after `failures` consecutive failures (≥ 1):
    /// `min(cap, base · 2^(failures − 1))`.
    pub fn ceiling(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(30);
        let grown = self.base.as_seconds_f64() * f64::from(1u32 << doublings);
        Duration::seconds_f64(grown.min(self.cap.as_seconds_f64()))
    }

    /// Full jitter: uniform in `[0, ceiling)`.
    pub fn full_jitter(&self, failures: u32, random: &mut dyn Random) -> Duration {
        self.ceiling(failures) * random.unit()
    }

    /// The server said when (`Retry-After`): wait that long, plus jitter so
    /// that everyone told "1 s" does not come back in the same millisecond.
    pub fn after_retry_after(
        &self,
        retry_after: Duration,
        failures: u32,
        random: &mut dyn Random,
    ) -> Duration {
        let spread = self.ceiling(failures).min(retry_after.max(self.base));
        retry_after + spread * random.unit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SplitMix64;

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let backoff = Backoff::default();
        let ceilings: Vec<i64> = (1..=8)
            .map(|n| backoff.ceiling(n).whole_seconds())
            .collect();
        assert_eq!(ceilings, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(backoff.ceiling(1000).whole_seconds(), 60);
    }

    #[test]
    fn full_jitter_stays_below_the_ceiling_and_spreads_out() {
        let backoff = Backoff::default();
        let mut random = SplitMix64::new(1);
        let waits: Vec<f64> = (0..1000)
            .map(|_| backoff.full_jitter(4, &mut random).as_seconds_f64())
            .collect();
        assert!(waits.iter().all(|w| (0.0..8.0).contains(w)));
        let below_two = waits.iter().filter(|w| **w < 2.0).count();
        assert!(
            (180..320).contains(&below_two),
            "about a quarter: {below_two}"
        );
    }

    #[test]
    fn retry_after_is_a_floor_never_shortened_by_jitter() {
        let backoff = Backoff::default();
        let mut random = SplitMix64::new(3);
        for failures in 1..10 {
            let wait = backoff.after_retry_after(Duration::seconds(5), failures, &mut random);
            assert!(wait >= Duration::seconds(5));
            assert!(wait < Duration::seconds(10));
        }
    }
}
