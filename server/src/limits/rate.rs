//! Per-device and per-address limits on order creation (429 + Retry-After).
//!
//! A diner places a few orders a meal and a whole restaurant behind one NAT
//! a few hundred an hour; a script places hundreds a second. The limits are
//! GCRA buckets from `governor`: `n` per minute means a burst of `n`, then one
//! every `60/n` seconds.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

pub struct OrderRateLimits {
    per_address: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_device: Option<DefaultKeyedRateLimiter<String>>,
    clock: DefaultClock,
}

/// Over a limit: when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after_secs: u64,
}

impl OrderRateLimits {
    /// Orders per minute per client address and per device; 0 switches that
    /// limit off.
    pub fn new(per_address_per_minute: u32, per_device_per_minute: u32) -> Self {
        Self {
            per_address: keyed(per_address_per_minute),
            per_device: keyed(per_device_per_minute),
            clock: DefaultClock::default(),
        }
    }

    /// Takes one order from both budgets, or says how long to wait.
    pub fn check(&self, address: IpAddr, device_id: &str) -> Result<(), Limited> {
        if let Some(limiter) = &self.per_address {
            limiter
                .check_key(&address)
                .map_err(|wait| self.limited(&wait))?;
        }
        if let Some(limiter) = &self.per_device {
            limiter
                .check_key(&device_id.to_owned())
                .map_err(|wait| self.limited(&wait))?;
        }
        Ok(())
    }

    /// Forgets addresses and devices whose buckets are full again, so that
    /// rotating device ids cannot grow memory without bound.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.per_address {
            forget_idle(limiter);
        }
        if let Some(limiter) = &self.per_device {
            forget_idle(limiter);
        }
    }

    fn limited(&self, wait: &governor::NotUntil<<DefaultClock as Clock>::Instant>) -> Limited {
        let wait = wait.wait_time_from(self.clock.now());
        // Round up: "retry after 0 s" would invite an immediate retry.
        Limited {
            retry_after_secs: wait.as_secs() + 1,
        }
    }
}

fn forget_idle<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>) {
    limiter.retain_recent();
    limiter.shrink_to_fit();
}

/// A limiter of `per_minute`, or none for 0.
fn keyed<K: std::hash::Hash + Eq + Clone>(per_minute: u32) -> Option<DefaultKeyedRateLimiter<K>> {
    NonZeroU32::new(per_minute)
        .map(|per_minute| DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHONE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const NEIGHBOUR: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn a_device_gets_its_burst_then_is_told_when_to_retry() {
        let limits = OrderRateLimits::new(0, 3);
        for _ in 0..3 {
            assert_eq!(limits.check(PHONE, "device-a"), Ok(()));
        }
        let limited = limits.check(PHONE, "device-a").expect_err("over the burst");
        // One order every 20 s refills the bucket.
        assert!((1..=21).contains(&limited.retry_after_secs), "{limited:?}");
        assert_eq!(
            limits.check(PHONE, "device-b"),
            Ok(()),
            "another device is not limited"
        );
    }

    #[test]
    fn rotating_device_ids_does_not_escape_the_address_limit() {
        let limits = OrderRateLimits::new(5, 100);
        let allowed = (0..50)
            .filter(|n| limits.check(PHONE, &format!("device-{n}")).is_ok())
            .count();
        assert_eq!(allowed, 5);
        assert_eq!(limits.check(NEIGHBOUR, "device-x"), Ok(()));
    }

    #[test]
    fn zero_switches_a_limit_off() {
        let limits = OrderRateLimits::new(0, 0);
        assert!((0..10_000).all(|_| limits.check(PHONE, "device-a").is_ok()));
    }
}
