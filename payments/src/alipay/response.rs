//! The gateway's answers: `{"alipay_trade_query_response":{…},"sign":"…"}`,
//! signed over the exact text of the `*_response` member (alipay-sdk-java
//! `AlipaySignature.extractSignContent`). The member is kept as raw text, so
//! the bytes checked are the bytes Alipay signed.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::AlipayError;
use super::notification::trade_outcome;
use crate::rsa_sha256::VerifyingKey;
use crate::{Amount, MerchantRef, Observation, ProviderOutcome, Source};

/// The code of a successful call.
pub const SUCCESS_CODE: &str = "10000";
/// The trade does not exist (yet): a WAP trade is only created when the diner
/// opens the cashier.
pub const TRADE_NOT_EXIST: &str = "ACQ.TRADE_NOT_EXIST";

/// Which call the answer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Query,
    Close,
    Refund,
}

impl Call {
    pub fn method(self) -> &'static str {
        match self {
            Call::Query => "alipay.trade.query",
            Call::Close => "alipay.trade.close",
            Call::Refund => "alipay.trade.refund",
        }
    }

    /// `alipay.trade.query` → `alipay_trade_query_response`.
    pub fn member(self) -> String {
        format!("{}_response", self.method().replace('.', "_"))
    }
}

/// The fields of the trade answers Wendan reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeAnswer {
    pub code: String,
    #[serde(default)]
    pub msg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_msg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<String>,
    /// Refund: the total refunded so far, yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_fee: Option<String>,
    /// Refund: `Y` when this call moved money.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fund_change: Option<String>,
}

/// Verifies the answer to `call` and returns its fields.
pub fn verify(
    body: &str,
    call: Call,
    alipay_key: &VerifyingKey,
) -> Result<TradeAnswer, AlipayError> {
    let members: HashMap<String, &RawValue> = serde_json::from_str(body)?;
    let member = call.member();
    let content = members
        .get(&member)
        .ok_or_else(|| AlipayError::NoResponse(member.clone()))?;
    let sign: String = match members.get("sign") {
        Some(sign) => serde_json::from_str(sign.get())?,
        None => return Err(AlipayError::Missing("sign")),
    };
    alipay_key.verify_base64(content.get().as_bytes(), &sign)?;
    Ok(serde_json::from_str(content.get())?)
}

impl TradeAnswer {
    /// What the answer to `call` about attempt `trade` says, or `None` when
    /// it settles nothing (a refund that moved no money this time: query it;
    /// a close of a trade the diner never opened: it ends at `time_expire`).
    pub fn observation(
        &self,
        call: Call,
        trade: &MerchantRef,
        source: Source,
    ) -> Result<Option<Observation>, AlipayError> {
        if self.code != SUCCESS_CODE {
            let sub_code = self.sub_code.clone().unwrap_or_default();
            return match (call, sub_code.as_str()) {
                (Call::Query, TRADE_NOT_EXIST) => Ok(Some(Observation {
                    source,
                    merchant_ref: *trade,
                    outcome: ProviderOutcome::NotPaid,
                    amount: None,
                    transaction_id: None,
                })),
                (Call::Close, TRADE_NOT_EXIST) => Ok(None),
                _ => Err(AlipayError::Refused {
                    code: self.code.clone(),
                    sub_code,
                    sub_msg: self.sub_msg.clone().unwrap_or_default(),
                }),
            };
        }
        let (merchant_ref, outcome, amount) = match call {
            Call::Query => {
                let status = self
                    .trade_status
                    .as_deref()
                    .ok_or(AlipayError::Missing("trade_status"))?;
                let (outcome, amount) = trade_outcome(
                    status,
                    self.total_amount.as_deref(),
                    self.refund_fee.as_deref(),
                )?;
                (*trade, outcome, amount)
            }
            Call::Close => (*trade, ProviderOutcome::Closed, None),
            Call::Refund => {
                if self.fund_change.as_deref() != Some("Y") {
                    return Ok(None);
                }
                let refunded = self
                    .refund_fee
                    .as_deref()
                    .ok_or(AlipayError::Missing("refund_fee"))?;
                (
                    MerchantRef::refund(trade.order_id(), trade.attempt())?,
                    ProviderOutcome::Refunded,
                    Some(Amount::cny(crate::money::yuan_to_fen(refunded)?)),
                )
            }
        };
        Ok(Some(Observation {
            source,
            merchant_ref,
            outcome,
            amount,
            transaction_id: self.trade_no.clone(),
        }))
    }
}
