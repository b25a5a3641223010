//! The asynchronous notification (异步通知): a form POST to `notify_url` on
//! each change of a trade, signed RSA2 over every parameter but `sign` and
//! `sign_type`. Answer exactly [`SUCCESS`], or Alipay resends (about 8 times
//! over 25 hours).

use std::collections::BTreeMap;

use super::AlipayError;
use super::sign::{Content, verify as verify_params};
use crate::money::yuan_to_fen;
use crate::rsa_sha256::VerifyingKey;
use crate::{Amount, MerchantRef, Observation, ProviderOutcome, Source};

/// The whole body of the merchant's acknowledgement.
pub const SUCCESS: &str = "success";

/// A verified notification's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification(pub BTreeMap<String, String>);

/// Parses the form body, nothing more (no trust yet): the fuzzing entry point.
pub fn parse_form(body: &[u8]) -> Result<BTreeMap<String, String>, AlipayError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| AlipayError::Form(e.to_string()))?;
    let mut params = BTreeMap::new();
    for (name, value) in pairs {
        if params.insert(name, value).is_some() {
            return Err(AlipayError::Form("a parameter appears twice".into()));
        }
    }
    Ok(params)
}

/// Verifies the signature and that it is addressed to our `app_id`.
pub fn verify(
    body: &[u8],
    app_id: &str,
    alipay_key: &VerifyingKey,
) -> Result<Notification, AlipayError> {
    let params = parse_form(body)?;
    verify_params(&params, Content::Notification, alipay_key)?;
    match params.get("app_id") {
        Some(theirs) if theirs == app_id => Ok(Notification(params)),
        Some(theirs) => Err(AlipayError::AppId(theirs.clone())),
        None => Err(AlipayError::Missing("app_id")),
    }
}

/// `trade_status` (with the amounts beside it) → outcome. A refund shows as
/// `refund_fee` on a `TRADE_SUCCESS` (partial) or `TRADE_CLOSED` (full) trade.
pub(crate) fn trade_outcome(
    status: &str,
    total_amount: Option<&str>,
    refund_fee: Option<&str>,
) -> Result<(ProviderOutcome, Option<Amount>), AlipayError> {
    let fen = |yuan: Option<&str>| -> Result<Option<Amount>, AlipayError> {
        Ok(match yuan {
            Some(yuan) => Some(Amount::cny(yuan_to_fen(yuan)?)),
            None => None,
        })
    };
    let refunded = fen(refund_fee)?.filter(|amount| amount.minor > 0);
    Ok(match (status, refunded) {
        ("WAIT_BUYER_PAY", _) => (ProviderOutcome::NotPaid, fen(total_amount)?),
        ("TRADE_SUCCESS" | "TRADE_FINISHED" | "TRADE_CLOSED", Some(refund)) => {
            (ProviderOutcome::Refunded, Some(refund))
        }
        ("TRADE_SUCCESS" | "TRADE_FINISHED", None) => (ProviderOutcome::Paid, fen(total_amount)?),
        ("TRADE_CLOSED", None) => (ProviderOutcome::Closed, fen(total_amount)?),
        (other, _) => return Err(AlipayError::TradeStatus(other.to_owned())),
    })
}

impl Notification {
    pub fn get(&self, name: &'static str) -> Result<&str, AlipayError> {
        self.0
            .get(name)
            .map(String::as_str)
            .ok_or(AlipayError::Missing(name))
    }

    /// The observation for the payment transition. A refund is reported on
    /// the trade's number; the transition accepts that as the capture's
    /// refund.
    pub fn observation(&self) -> Result<Observation, AlipayError> {
        let (outcome, amount) = trade_outcome(
            self.get("trade_status")?,
            self.0.get("total_amount").map(String::as_str),
            self.0.get("refund_fee").map(String::as_str),
        )?;
        Ok(Observation {
            source: Source::Notification,
            merchant_ref: MerchantRef::parse(self.get("out_trade_no")?)?,
            outcome,
            amount,
            transaction_id: self.0.get("trade_no").cloned(),
        })
    }
}
