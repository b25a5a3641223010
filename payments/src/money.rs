//! Amounts as the providers see them: integer minor units and an ISO 4217
//! code. WeChat speaks fen, Stripe minor units with a lower-case code, Alipay
//! yuan as a decimal string; each codec converts at its edge, exactly.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code, kept upper-case (`CNY`), whatever case the
/// provider wrote it in (Stripe writes `cny`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("{0:?} is not a three-letter currency code")]
    Currency(String),
    #[error("{0:?} is not an amount in yuan with at most two decimals")]
    Decimal(String),
    #[error("amount {0} is out of range")]
    Range(i64),
}

impl Currency {
    pub fn new(code: &str) -> Result<Self, MoneyError> {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
            Ok(Currency(code.to_ascii_uppercase()))
        } else {
            Err(MoneyError::Currency(code.to_owned()))
        }
    }

    pub fn cny() -> Self {
        Currency("CNY".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Stripe's spelling.
    pub fn lowercase(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Currency::new(&code)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a payment is for: the order's total, checked against every
/// observation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Amount {
    pub minor: i64,
    pub currency: Currency,
}

impl Amount {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Amount { minor, currency }
    }

    pub fn cny(fen: i64) -> Self {
        Amount::new(fen, Currency::cny())
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.minor, self.currency)
    }
}

/// Fen as Alipay's yuan string: `1234` → `"12.34"`. Alipay takes CNY with two
/// decimals; there is no negative amount to pay.
pub fn fen_to_yuan(fen: i64) -> Result<String, MoneyError> {
    if fen < 0 {
        return Err(MoneyError::Range(fen));
    }
    Ok(format!("{}.{:02}", fen / 100, fen % 100))
}

/// Alipay's yuan string back to fen, exactly: `"12.3"` → `1230`. Written by
/// hand because a float would round (0.1 + 0.2 is not a price).
pub fn yuan_to_fen(yuan: &str) -> Result<i64, MoneyError> {
    let bad = || MoneyError::Decimal(yuan.to_owned());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (whole, fraction) = match yuan.split_once('.') {
        Some((whole, fraction)) if digits(fraction) && fraction.len() <= 2 => (whole, fraction),
        Some(_) => return Err(bad()),
        None => (yuan, ""),
    };
    if !digits(whole) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|fen| fen.checked_add(fraction))
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_are_kept_upper_case() {
        assert_eq!(Currency::new("cny").unwrap().as_str(), "CNY");
        assert_eq!(Currency::new("USD").unwrap().lowercase(), "usd");
        assert!(Currency::new("yuan").is_err());
        assert!(Currency::new("C1Y").is_err());
    }

    #[test]
    fn yuan_strings_convert_exactly_both_ways() {
        for (fen, yuan) in [(0, "0.00"), (1, "0.01"), (1230, "12.30"), (3800, "38.00")] {
            assert_eq!(fen_to_yuan(fen).unwrap(), yuan);
            assert_eq!(yuan_to_fen(yuan).unwrap(), fen);
        }
        assert_eq!(yuan_to_fen("12.3"), Ok(1230));
        assert_eq!(yuan_to_fen("12"), Ok(1200));
        for bad in [
            "",
            ".5",
            "1.234",
            "-1.00",
            "1,00",
            "1.",
            "abc",
            "99999999999999999999",
        ] {
            assert!(yuan_to_fen(bad).is_err(), "{bad:?}");
        }
        assert!(fen_to_yuan(-1).is_err());
    }
}
