//! Domestic refunds (退款申请): one `out_refund_no` per capture, so asking
//! again never refunds twice.

use serde::{Deserialize, Serialize};

use super::WechatError;
use crate::{Amount, Currency, MerchantRef, Observation, ProviderOutcome, Source};

pub const REFUNDS_PATH: &str = "/v3/refund/domestic/refunds";

/// `GET` this to query a refund by its number.
pub fn refund_query_url(out_refund_no: &str) -> String {
    format!("{REFUNDS_PATH}/{out_refund_no}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequest {
    pub out_trade_no: String,
    pub out_refund_no: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_url: Option<String>,
    pub amount: RefundRequestAmount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequestAmount {
    pub refund: i64,
    pub total: i64,
    pub currency: String,
}

impl RefundRequest {
    /// A full refund of the capture made by `trade` (its refund number is
    /// derived from the same attempt).
    pub fn full(
        trade: &MerchantRef,
        amount: &Amount,
        reason: &str,
        notify_url: Option<String>,
    ) -> Result<Self, WechatError> {
        let refund = MerchantRef::refund(trade.order_id(), trade.attempt())?;
        Ok(RefundRequest {
            out_trade_no: trade.to_string(),
            out_refund_no: refund.to_string(),
            reason: Some(reason.to_owned()),
            notify_url,
            amount: RefundRequestAmount {
                refund: amount.minor,
                total: amount.minor,
                currency: amount.currency.to_string(),
            },
        })
    }
}

/// A refund as the refund API answers (`status`) and the refund notification
/// carries it (`refund_status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<String>,
    pub out_refund_no: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_status: Option<String>,
    pub amount: RefundAmount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundAmount {
    pub total: i64,
    pub refund: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

impl Refund {
    /// `None` while the refund is `PROCESSING` (nothing to change yet).
    pub fn observation(&self, source: Source) -> Result<Option<Observation>, WechatError> {
        let status = self
            .refund_status
            .as_deref()
            .or(self.status.as_deref())
            .unwrap_or_default();
        let outcome = match status {
            "SUCCESS" => ProviderOutcome::Refunded,
            "CLOSED" | "ABNORMAL" => ProviderOutcome::RefundFailed,
            "PROCESSING" => return Ok(None),
            other => return Err(WechatError::RefundStatus(other.to_owned())),
        };
        let currency = Currency::new(self.amount.currency.as_deref().unwrap_or("CNY"))?;
        Ok(Some(Observation {
            source,
            merchant_ref: MerchantRef::parse(&self.out_refund_no)?,
            outcome,
            amount: Some(Amount::new(self.amount.refund, currency)),
            transaction_id: self.transaction_id.clone(),
        }))
    }
}
