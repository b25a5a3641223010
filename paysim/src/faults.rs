//! Misbehaviour on command (`POST /sandbox/faults`, or
//! `POST /sandbox/faults/{merchant_ref}` for one payment). Each field is a
//! probability from 0 (never) to 1 (always), drawn from the sandbox's seeded
//! random source, so a chaos run with the same seed misbehaves the same way.

use rand::RngExt;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// The notification is never sent.
    pub lose_notification: f64,
    /// Every delivery is sent twice.
    pub duplicate_notification: f64,
    /// The first notification of a payment is held back (a minute of
    /// provider time) so a later one (refund, failure) overtakes it.
    pub out_of_order: f64,
    /// Every notification waits this long first (past the merchant's first
    /// query, say).
    pub delay_notification_ms: u64,
    /// The notification's signature is corrupted.
    pub bad_signature: f64,
    /// The notification reports one minor unit more than was paid (signed
    /// correctly: only the amount check catches it).
    pub wrong_amount: f64,
    /// A query hangs for `query_hang_ms` before answering.
    pub query_timeout: f64,
    pub query_hang_ms: u64,
    /// A query answers 500.
    pub query_error: f64,
    /// The diner paid, but the redirect back to the merchant never happens.
    pub drop_after_pay: f64,
}

/// What a `POST /sandbox/faults` body may carry besides the faults.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FaultsRequest {
    /// Re-seeds the random source the probabilities are drawn from.
    pub seed: Option<u64>,
    #[serde(flatten)]
    pub faults: Faults,
}

/// Draws `probability` from `rng`: 0 never, 1 always.
pub fn roll(rng: &mut StdRng, probability: f64) -> bool {
    if probability >= 1.0 {
        true
    } else if probability <= 0.0 {
        false
    } else {
        rng.random::<f64>() < probability
    }
}

/// The decisions for one notification, drawn once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NotificationFaults {
    pub lose: bool,
    pub duplicate: bool,
    pub hold_back: bool,
    pub delay_ms: u64,
    pub bad_signature: bool,
    pub wrong_amount: bool,
}

impl Faults {
    pub fn draw_notification(&self, rng: &mut StdRng) -> NotificationFaults {
        NotificationFaults {
            lose: roll(rng, self.lose_notification),
            duplicate: roll(rng, self.duplicate_notification),
            hold_back: roll(rng, self.out_of_order),
            delay_ms: self.delay_notification_ms,
            bad_signature: roll(rng, self.bad_signature),
            wrong_amount: roll(rng, self.wrong_amount),
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn the_same_seed_misbehaves_the_same_way() {
        let faults = Faults {
            lose_notification: 0.5,
            duplicate_notification: 0.5,
            bad_signature: 0.3,
            ..Faults::default()
        };
        let draws = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (0..64)
                .map(|_| faults.draw_notification(&mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
        let lost = draws(7).iter().filter(|f| f.lose).count();
        assert!((16..=48).contains(&lost), "about half: {lost}");
    }

    #[test]
    fn zero_is_never_and_one_is_always() {
        let mut rng = StdRng::seed_from_u64(1);
        assert!((0..100).all(|_| roll(&mut rng, 1.0)));
        assert!((0..100).all(|_| !roll(&mut rng, 0.0)));
    }
}
