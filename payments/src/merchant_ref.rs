//! Merchant order numbers and refund numbers, derived from the order id.
//!
//! Deterministic on purpose: asking again for attempt `n` of an order yields
//! the same `out_trade_no` (WeChat, Alipay) or idempotency key (Stripe), so
//! the provider answers with the same payment instead of a second one; a new
//! attempt after the old one was closed yields a new number.
//!
//! Format: the order's UUID as RFC 4648 base32 without padding (26
//! characters of `A–Z2–7`), then `_` and the attempt (`…_1`), or `_R` and the
//! attempt for the refund of that attempt's capture. At most 30 characters of
//! `[0-9A-Z_]`, which fits WeChat's `out_trade_no` (6–32 of `[0-9A-Za-z_-|*]`)
//! and `out_refund_no`, Alipay's `out_trade_no`/`out_request_no` (≤ 64) and
//! Stripe's idempotency keys (≤ 255).

use std::fmt;

use data_encoding::BASE32_NOPAD;
use uuid::Uuid;

/// Attempts per order. A diner who fails 999 times is not a diner.
pub const MAX_ATTEMPT: u32 = 999;

const ORDER_CHARS: usize = 26;

/// Which number of an order's payment life this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MerchantRef {
    /// The provider payment of attempt `attempt` (1-based).
    Trade { order_id: Uuid, attempt: u32 },
    /// The refund of the capture made by attempt `attempt`: one number per
    /// capture, so the same capture is never refunded twice.
    Refund { order_id: Uuid, attempt: u32 },
}

/// Why a string is not one of our merchant numbers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerchantRefError {
    #[error("attempt {0} is out of range 1..={MAX_ATTEMPT}")]
    AttemptOutOfRange(u32),
    #[error("{0:?} is not a Wendan merchant number")]
    Malformed(String),
}

impl MerchantRef {
    /// The number of attempt `attempt` of `order_id`'s payment.
    pub fn trade(order_id: Uuid, attempt: u32) -> Result<Self, MerchantRefError> {
        check_attempt(attempt)?;
        Ok(MerchantRef::Trade { order_id, attempt })
    }

    /// The refund number for the capture made by `attempt`.
    pub fn refund(order_id: Uuid, attempt: u32) -> Result<Self, MerchantRefError> {
        check_attempt(attempt)?;
        Ok(MerchantRef::Refund { order_id, attempt })
    }

    pub fn order_id(&self) -> Uuid {
        match *self {
            MerchantRef::Trade { order_id, .. } | MerchantRef::Refund { order_id, .. } => order_id,
        }
    }

    pub fn attempt(&self) -> u32 {
        match *self {
            MerchantRef::Trade { attempt, .. } | MerchantRef::Refund { attempt, .. } => attempt,
        }
    }

    /// Reads back a number the providers echo (`out_trade_no`,
    /// `out_refund_no`, `client_reference_id`).
    pub fn parse(text: &str) -> Result<Self, MerchantRefError> {
        let malformed = || MerchantRefError::Malformed(text.to_owned());
        let (order_part, rest) = text.split_at_checked(ORDER_CHARS).ok_or_else(malformed)?;
        let rest = rest.strip_prefix('_').ok_or_else(malformed)?;
        let (is_refund, digits) = match rest.strip_prefix('R') {
            Some(digits) => (true, digits),
            None => (false, rest),
        };
        if digits.is_empty()
            || digits.starts_with('0')
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(malformed());
        }
        let attempt: u32 = digits.parse().map_err(|_| malformed())?;
        let bytes = BASE32_NOPAD
            .decode(order_part.as_bytes())
            .map_err(|_| malformed())?;
        let order_id = Uuid::from_slice(&bytes).map_err(|_| malformed())?;
        // Only the canonical spelling is ours (base32 has spare bits).
        if BASE32_NOPAD.encode(order_id.as_bytes()) != order_part {
            return Err(malformed());
        }
        if is_refund {
            MerchantRef::refund(order_id, attempt)
        } else {
            MerchantRef::trade(order_id, attempt)
        }
    }
}

fn check_attempt(attempt: u32) -> Result<(), MerchantRefError> {
    if (1..=MAX_ATTEMPT).contains(&attempt) {
        Ok(())
    } else {
        Err(MerchantRefError::AttemptOutOfRange(attempt))
    }
}

impl fmt::Display for MerchantRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let order = BASE32_NOPAD.encode(self.order_id().as_bytes());
        match self {
            MerchantRef::Trade { attempt, .. } => write!(f, "{order}_{attempt}"),
            MerchantRef::Refund { attempt, .. } => write!(f, "{order}_R{attempt}"),
        }
    }
}

/// The Stripe `Idempotency-Key` for creating attempt `attempt`'s Checkout
/// Session: the same key for a retried create (Stripe keeps it 24 h), a new
/// one for a new attempt.
pub fn stripe_idempotency_key(merchant_ref: &MerchantRef) -> String {
    format!("wendan-{merchant_ref}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> Uuid {
        Uuid::from_u128(0x6f1c_2a9e_0b7d_4c3e_9f21_5a8b_7c6d_1e0f)
    }

    fn wechat_allows(text: &str) -> bool {
        (6..=32).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-|*".contains(&b))
    }

    #[test]
    fn asking_again_gives_the_same_number_and_a_new_attempt_a_new_one() {
        let first = MerchantRef::trade(order(), 1).unwrap().to_string();
        assert_eq!(first, MerchantRef::trade(order(), 1).unwrap().to_string());
        let second = MerchantRef::trade(order(), 2).unwrap().to_string();
        assert_ne!(first, second);
        let other_order = MerchantRef::trade(Uuid::from_u128(7), 1)
            .unwrap()
            .to_string();
        assert_ne!(first, other_order);
    }

    #[test]
    fn the_longest_numbers_fit_every_provider() {
        for reference in [
            MerchantRef::trade(Uuid::max(), MAX_ATTEMPT).unwrap(),
            MerchantRef::refund(Uuid::max(), MAX_ATTEMPT).unwrap(),
            MerchantRef::trade(Uuid::nil(), 1).unwrap(),
        ] {
            let text = reference.to_string();
            assert!(wechat_allows(&text), "{text}");
            assert!(text.len() <= 64, "Alipay: {text}");
            assert!(stripe_idempotency_key(&reference).len() <= 255);
        }
    }

    #[test]
    fn numbers_read_back_to_the_order_and_attempt() {
        for reference in [
            MerchantRef::trade(order(), 1).unwrap(),
            MerchantRef::trade(order(), 42).unwrap(),
            MerchantRef::refund(order(), 3).unwrap(),
        ] {
            assert_eq!(MerchantRef::parse(&reference.to_string()), Ok(reference));
        }
    }

    #[test]
    fn foreign_or_altered_numbers_are_refused() {
        let good = MerchantRef::trade(order(), 1).unwrap().to_string();
        let cases = [
            String::new(),
            "short".to_owned(),
            good.replace("_1", "_0"),
            good.replace("_1", "_01"),
            good.replace("_1", "_"),
            good.replace("_1", "_1000"),
            good.replace("_1", "-1"),
            good.to_lowercase(),
            format!("{good}x"),
            format!("{}_1", order()),
        ];
        for case in cases {
            assert!(MerchantRef::parse(&case).is_err(), "{case:?} was accepted");
        }
        assert_eq!(
            MerchantRef::trade(order(), 0),
            Err(MerchantRefError::AttemptOutOfRange(0))
        );
    }
}
