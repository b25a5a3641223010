//! When to try again after a failure nobody explained: capped exponential
//! backoff with full jitter (AWS, "Exponential Backoff and Jitter"). Without
//! jitter, a mall's worth of phones whose Wi-Fi returns at once would retry
//! in synchronised waves; full jitter spreads them for the least total work.

use time::Duration;

use crate::Random;

/// How much of a wait is left to chance. The widget always uses [`Jitter::Full`];
/// the others exist so the thundering-herd simulation (`cargo xtask simulate`)
/// can show what full jitter saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Jitter {
    /// Exactly the ceiling: everyone refused together comes back together.
    None,
    /// Half the ceiling, plus a uniform draw over the other half.
    Equal,
    /// Uniform in `[0, ceiling)`.
    #[default]
    Full,
}

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
        self.wait(Jitter::Full, failures, random)
    }

    /// The wait after `failures` consecutive failures, jittered as `jitter` says.
    pub fn wait(&self, jitter: Jitter, failures: u32, random: &mut dyn Random) -> Duration {
        let ceiling = self.ceiling(failures);
        match jitter {
            Jitter::None => ceiling,
            Jitter::Equal => ceiling / 2 + ceiling / 2 * random.unit(),
            Jitter::Full => ceiling * random.unit(),
        }
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
    fn full_jitter_is_the_default_and_what_the_widget_draws() {
        let backoff = Backoff::default();
        assert_eq!(Jitter::default(), Jitter::Full);
        let (mut a, mut b) = (SplitMix64::new(9), SplitMix64::new(9));
        for failures in 1..10 {
            assert_eq!(
                backoff.full_jitter(failures, &mut a),
                backoff.wait(Jitter::Full, failures, &mut b)
            );
        }
    }

    #[test]
    fn no_jitter_waits_the_ceiling_and_equal_jitter_at_least_half_of_it() {
        let backoff = Backoff::default();
        let mut random = SplitMix64::new(5);
        for failures in 1..10 {
            let ceiling = backoff.ceiling(failures);
            assert_eq!(backoff.wait(Jitter::None, failures, &mut random), ceiling);
            let equal = backoff.wait(Jitter::Equal, failures, &mut random);
            assert!(equal >= ceiling / 2 && equal < ceiling, "{equal}");
        }
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
