//! Per-device and per-address limits on order creation (429 + Retry-After).
//!
//! A diner places a few orders a meal and a whole restaurant behind one NAT
//! a few hundred an hour; a script places hundreds a second. The limits are
//! GCRA buckets from `governor`: `n` per minute means a burst of `n`, then one
//! every `60/n` seconds.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::address_key::AddressKey;

pub struct OrderRateLimits {
    per_address: Option<KeyedRate<AddressKey>>,
    per_device: Option<KeyedRate<String>>,
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
            per_address: KeyedRate::per_minute(per_address_per_minute),
            per_device: KeyedRate::per_minute(per_device_per_minute),
        }
    }

    /// Takes one order from both budgets, or says how long to wait. The
    /// address counts as its [`AddressKey`] (an IPv6 /64).
    pub fn check(&self, address: IpAddr, device_id: &str) -> Result<(), Limited> {
        if let Some(limiter) = &self.per_address {
            limiter.check(&AddressKey::of(address))?;
        }
        if let Some(limiter) = &self.per_device {
            limiter.check(&device_id.to_owned())?;
        }
        Ok(())
    }

    /// Forgets addresses and devices whose buckets are full again, so that
    /// rotating device ids cannot grow memory without bound.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.per_address {
            limiter.forget_idle();
        }
        if let Some(limiter) = &self.per_device {
            limiter.forget_idle();
        }
    }
}

/// One GCRA budget per key (an address, a device): `n` per minute.
pub struct KeyedRate<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    clock: DefaultClock,
}

impl<K: Hash + Eq + Clone> KeyedRate<K> {
    /// `per_minute` for each key (a burst of that many).
    pub fn new(per_minute: NonZeroU32) -> Self {
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// As [`KeyedRate::new`], or none for 0 (the limit switched off).
    pub fn per_minute(per_minute: u32) -> Option<Self> {
        NonZeroU32::new(per_minute).map(Self::new)
    }

    /// Takes one from `key`'s budget, or says how long to wait.
    pub fn check(&self, key: &K) -> Result<(), Limited> {
        self.limiter.check_key(key).map_err(|wait| {
            let wait = wait.wait_time_from(self.clock.now());
            // Round up: "retry after 0 s" would invite an immediate retry.
            Limited {
                retry_after_secs: wait.as_secs() + 1,
            }
        })
    }

    /// Forgets keys whose buckets are full again.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Keys remembered now.
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    pub fn is_empty(&self) -> bool {
        self.limiter.is_empty()
    }
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
    fn one_ipv6_network_is_one_address() {
        let limits = OrderRateLimits::new(3, 0);
        let allowed = (1..=10)
            .filter(|n| {
                let address: IpAddr = format!("2001:db8:7:7::{n:x}").parse().expect("ipv6");
                limits.check(address, "device").is_ok()
            })
            .count();
        assert_eq!(allowed, 3, "rotating addresses inside a /64 does not help");
        let next_network: IpAddr = "2001:db8:7:8::1".parse().expect("ipv6");
        assert_eq!(limits.check(next_network, "device"), Ok(()));
    }

    #[test]
    fn zero_switches_a_limit_off() {
        let limits = OrderRateLimits::new(0, 0);
        assert!((0..10_000).all(|_| limits.check(PHONE, "device-a").is_ok()));
    }
}
