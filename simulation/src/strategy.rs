//! What a phone does after a 503: four ways to wait, each computed by the
//! widget's real backoff code ([`Backoff`], 1 s doubling to 60 s).

use time::Duration;
use wendan_outbox::random::SplitMix64;
use wendan_outbox::{Backoff, Jitter};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Wait exactly the backoff ceiling; `Retry-After` ignored.
    NoJitter,
    /// Half the ceiling plus a uniform half; `Retry-After` ignored.
    EqualJitter,
    /// Uniform up to the ceiling; `Retry-After` ignored.
    FullJitter,
    /// What the widget does: `Retry-After`, plus full jitter on top
    /// ([`Backoff::after_retry_after`]).
    FullJitterRetryAfter,
    /// Not the widget's: a what-if for comparison. `Retry-After` as a floor,
    /// then full jitter over the whole backoff ceiling (the widget caps the
    /// spread at `Retry-After` itself).
    RetryAfterThenFullJitter,
}

impl Strategy {
    pub const ALL: [Strategy; 5] = [
        Strategy::NoJitter,
        Strategy::EqualJitter,
        Strategy::FullJitter,
        Strategy::FullJitterRetryAfter,
        Strategy::RetryAfterThenFullJitter,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Strategy::NoJitter => "no jitter",
            Strategy::EqualJitter => "equal jitter",
            Strategy::FullJitter => "full jitter",
            Strategy::FullJitterRetryAfter => "full jitter + Retry-After",
            Strategy::RetryAfterThenFullJitter => "what-if: Retry-After + full ceiling",
        }
    }

    /// The wait before the next attempt after `failures` refusals in a row,
    /// the last of which said `Retry-After: retry_after`.
    pub fn wait(
        self,
        backoff: &Backoff,
        failures: u32,
        retry_after: Duration,
        random: &mut SplitMix64,
    ) -> Duration {
        match self {
            Strategy::NoJitter => backoff.wait(Jitter::None, failures, random),
            Strategy::EqualJitter => backoff.wait(Jitter::Equal, failures, random),
            Strategy::FullJitter => backoff.wait(Jitter::Full, failures, random),
            Strategy::FullJitterRetryAfter => {
                backoff.after_retry_after(retry_after, failures, random)
            }
            Strategy::RetryAfterThenFullJitter => {
                retry_after + backoff.wait(Jitter::Full, failures, random)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_widgets_strategy_honours_retry_after() {
        let backoff = Backoff::default();
        let mut random = SplitMix64::new(1);
        let five = Duration::seconds(5);
        for _ in 0..100 {
            let honoured = Strategy::FullJitterRetryAfter.wait(&backoff, 1, five, &mut random);
            assert!(honoured >= five);
            let ignored = Strategy::FullJitter.wait(&backoff, 1, five, &mut random);
            assert!(ignored < Duration::seconds(1));
        }
        assert_eq!(
            Strategy::NoJitter.wait(&backoff, 3, five, &mut random),
            Duration::seconds(4)
        );
    }
}
