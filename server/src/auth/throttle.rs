//! Slows token guessing: failed attempts per client address and scope.
//!
//! Staff type a token a few times a day and mistype it now and then; a
//! script tries hundreds a second. Every wrong token, wrong bearer header or
//! unknown session cookie takes one cell of a GCRA bucket from `governor`
//! (`n` per minute: a burst of `n`, then one every `60/n` seconds). Once an
//! attempt finds the bucket empty the address is held back until the next
//! cell, and while held back every attempt of that scope is answered 429,
//! the right token too: otherwise the answer to a guess (401 or not) would
//! still tell the script when it guessed right.
//!
//! `governor` cannot say "would this be refused" without taking a cell, so
//! the addresses held back, and until when, are kept beside it.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;

use governor::clock::{Clock, DefaultClock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{NotUntil, Quota, RateLimiter};

use super::scope::Scope;
use crate::limits::AddressKey;
use crate::limits::rate::Limited;

/// Counted per client as every per-address limit counts one (an IPv6 /64 is
/// one client: `limits::AddressKey`), and per scope.
type Key = (AddressKey, Scope);
type Limiter<C> =
    RateLimiter<Key, DefaultKeyedStateStore<Key>, C, NoOpMiddleware<<C as Clock>::Instant>>;

pub struct FailedAttempts<C: Clock = DefaultClock> {
    limiter: Option<Limiter<C>>,
    held_back: Mutex<HashMap<Key, C::Instant>>,
    clock: C,
}

impl FailedAttempts {
    /// `per_minute` failed attempts per address and scope; 0 switches the
    /// limit off.
    pub fn new(per_minute: u32) -> Self {
        Self::with_clock(per_minute, DefaultClock::default())
    }
}

impl<C: Clock + Clone> FailedAttempts<C> {
    pub fn with_clock(per_minute: u32, clock: C) -> Self {
        Self {
            limiter: NonZeroU32::new(per_minute).map(|per_minute| {
                RateLimiter::new(
                    Quota::per_minute(per_minute),
                    DefaultKeyedStateStore::default(),
                    clock.clone(),
                )
            }),
            held_back: Mutex::default(),
            clock,
        }
    }

    /// Before a credential is checked: whether `address` may try `scope` now.
    pub fn allowed(&self, address: IpAddr, scope: Scope) -> Result<(), Limited> {
        let now = self.clock.now();
        match lock(&self.held_back).get(&(AddressKey::of(address), scope)) {
            Some(until) if *until > now => Err(limited(until.duration_since(now).into())),
            _ => Ok(()),
        }
    }

    /// After a wrong credential: counts it, and holds `address` back if it
    /// was one too many.
    pub fn failed(&self, address: IpAddr, scope: Scope) -> Result<(), Limited> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        let key = (AddressKey::of(address), scope);
        limiter.check_key(&key).map_err(|not_until| {
            let until: C::Instant = NotUntil::earliest_possible(&not_until);
            lock(&self.held_back).insert(key, until);
            limited(not_until.wait_time_from(self.clock.now()))
        })
    }

    /// Forgets addresses whose budget is whole again, so that many
    /// addresses cannot grow memory without bound.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        let now = self.clock.now();
        lock(&self.held_back).retain(|_, until| *until > now);
    }
}

/// Rounded up: "retry after 0 s" would invite an immediate retry.
fn limited(wait: std::time::Duration) -> Limited {
    Limited {
        retry_after_secs: wait.as_secs() + 1,
    }
}

fn lock<K: Hash + Eq, V>(map: &Mutex<HashMap<K, V>>) -> std::sync::MutexGuard<'_, HashMap<K, V>> {
    // Every update is one insert or removal: a panic elsewhere cannot leave
    // the map half-changed.
    map.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use governor::clock::FakeRelativeClock;

    use super::*;

    const SCRIPT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const NEIGHBOUR: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    fn attempts() -> (FailedAttempts<FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        (FailedAttempts::with_clock(10, clock.clone()), clock)
    }

    #[test]
    fn ten_mistakes_a_minute_pass_the_eleventh_holds_the_address_back() {
        let (attempts, clock) = attempts();
        for _ in 0..10 {
            assert_eq!(attempts.allowed(SCRIPT, Scope::Kitchen), Ok(()));
            assert_eq!(attempts.failed(SCRIPT, Scope::Kitchen), Ok(()));
        }
        let refused = attempts
            .failed(SCRIPT, Scope::Kitchen)
            .expect_err("one too many");
        assert_eq!(
            refused.retry_after_secs, 7,
            "one cell every 6 s, rounded up"
        );
        // Held back: even the right token would be refused now.
        assert!(attempts.allowed(SCRIPT, Scope::Kitchen).is_err());
        // Another address, and the other scope, are not.
        assert_eq!(attempts.allowed(NEIGHBOUR, Scope::Kitchen), Ok(()));
        assert_eq!(attempts.allowed(SCRIPT, Scope::Admin), Ok(()));
        assert_eq!(attempts.failed(SCRIPT, Scope::Admin), Ok(()));

        clock.advance(Duration::from_secs(6));
        assert_eq!(attempts.allowed(SCRIPT, Scope::Kitchen), Ok(()));
        assert_eq!(attempts.failed(SCRIPT, Scope::Kitchen), Ok(()));
        assert!(attempts.failed(SCRIPT, Scope::Kitchen).is_err());
    }

    #[test]
    fn a_script_gets_ten_guesses_then_one_every_six_seconds() {
        let (attempts, clock) = attempts();
        let mut guesses = 0;
        for _ in 0..300 {
            if attempts.allowed(SCRIPT, Scope::Admin).is_ok()
                && attempts.failed(SCRIPT, Scope::Admin).is_ok()
            {
                guesses += 1;
            }
            clock.advance(Duration::from_millis(200));
        }
        // A minute of trying every 200 ms: the burst of ten at once, then
        // one as each cell comes back, at 6 s, 12 s, … 54 s.
        assert_eq!(guesses, 10 + (6..60).step_by(6).count());
    }

    #[test]
    fn forgetting_keeps_those_still_held_back() {
        let (attempts, clock) = attempts();
        for _ in 0..11 {
            let _ = attempts.failed(SCRIPT, Scope::Kitchen);
        }
        attempts.forget_idle();
        assert!(attempts.allowed(SCRIPT, Scope::Kitchen).is_err());
        clock.advance(Duration::from_secs(60));
        attempts.forget_idle();
        assert_eq!(lock(&attempts.held_back).len(), 0);
        assert_eq!(attempts.allowed(SCRIPT, Scope::Kitchen), Ok(()));
    }

    #[test]
    fn a_script_rotating_through_its_ipv6_64_is_one_client() {
        let (attempts, _clock) = attempts();
        let in_one_64 =
            |n: u16| IpAddr::V6(std::net::Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, n));
        for n in 0..10 {
            assert_eq!(attempts.failed(in_one_64(n), Scope::Admin), Ok(()));
        }
        assert!(attempts.failed(in_one_64(10), Scope::Admin).is_err());
        assert!(attempts.allowed(in_one_64(999), Scope::Admin).is_err());
    }

    #[test]
    fn zero_switches_the_limit_off() {
        let attempts = FailedAttempts::new(0);
        assert!((0..1000).all(|_| attempts.failed(SCRIPT, Scope::Admin).is_ok()));
        assert_eq!(attempts.allowed(SCRIPT, Scope::Admin), Ok(()));
    }
}
