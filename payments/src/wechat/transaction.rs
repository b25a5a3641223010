//! Creating, querying and closing a payment (JSAPI and H5 下单, 查询订单,
//! 关闭订单), and what `trade_state` means.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{MerchantIds, WechatError};
use crate::{Amount, Currency, MerchantRef, Observation, ProviderOutcome, Source};

pub const JSAPI_PATH: &str = "/v3/pay/transactions/jsapi";
pub const H5_PATH: &str = "/v3/pay/transactions/h5";

/// The body of a JSAPI or H5 prepay request. Sending the same body again
/// with the same `out_trade_no` returns the same `prepay_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepayRequest {
    pub appid: String,
    pub mchid: String,
    pub description: String,
    pub out_trade_no: String,
    /// RFC 3339 (`2026-03-02T12:15:00+08:00`): after it the diner cannot pay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_expire: Option<String>,
    pub notify_url: String,
    pub amount: PrepayAmount,
    /// JSAPI only: the diner's `openid` (from `snsapi_base` authorisation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payer: Option<Payer>,
    /// H5 only: the diner's IP address and the `h5_info` scene.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scene_info: Option<SceneInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepayAmount {
    /// Fen.
    pub total: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payer {
    pub openid: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SceneInfo {
    pub payer_client_ip: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub h5_info: Option<H5Info>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct H5Info {
    /// `Wap` for a mobile web page.
    #[serde(rename = "type")]
    pub kind: String,
}

/// Where the diner is paying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    /// Inside the WeChat browser, for the diner with this `openid`.
    Jsapi { openid: String },
    /// Another mobile browser, from this IP address.
    H5 { payer_client_ip: String },
}

impl PrepayRequest {
    /// The request for attempt `merchant_ref` of an order of `amount`.
    pub fn new(
        merchant: &MerchantIds,
        merchant_ref: &MerchantRef,
        amount: &Amount,
        description: &str,
        expires_at: OffsetDateTime,
        channel: Channel,
    ) -> Result<Self, WechatError> {
        let (payer, scene_info) = match channel {
            Channel::Jsapi { openid } => (Some(Payer { openid }), None),
            Channel::H5 { payer_client_ip } => (
                None,
                Some(SceneInfo {
                    payer_client_ip,
                    h5_info: Some(H5Info { kind: "Wap".into() }),
                }),
            ),
        };
        Ok(PrepayRequest {
            appid: merchant.appid.clone(),
            mchid: merchant.mchid.clone(),
            description: description.to_owned(),
            out_trade_no: merchant_ref.to_string(),
            time_expire: Some(
                expires_at
                    .format(&Rfc3339)
                    .map_err(|e| WechatError::Time(e.to_string()))?,
            ),
            notify_url: merchant.notify_url.clone(),
            amount: PrepayAmount {
                total: amount.minor,
                currency: amount.currency.to_string(),
            },
            payer,
            scene_info,
        })
    }

    /// The path this body is posted to.
    pub fn path(&self) -> &'static str {
        if self.payer.is_some() {
            JSAPI_PATH
        } else {
            H5_PATH
        }
    }
}

/// JSAPI answer: hand `prepay_id` to [`super::jsapi::bridge_payment`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsapiPrepay {
    pub prepay_id: String,
}

/// H5 answer: send the diner to `h5_url` (append `&redirect_url=` to come back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct H5Prepay {
    pub h5_url: String,
}

/// `GET` this to query a payment by our number.
pub fn query_url(out_trade_no: &str, mchid: &str) -> String {
    format!("/v3/pay/transactions/out-trade-no/{out_trade_no}?mchid={mchid}")
}

/// `POST` [`CloseRequest`] here to close a payment (关单); WeChat answers 204.
pub fn close_url(out_trade_no: &str) -> String {
    format!("/v3/pay/transactions/out-trade-no/{out_trade_no}/close")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseRequest {
    pub mchid: String,
}

/// An error answer (`{"code":"ORDER_NOT_EXIST","message":"…"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

/// A payment as the query answers and the notification carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    pub mchid: String,
    pub out_trade_no: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_type: Option<String>,
    pub trade_state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_state_desc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<TransactionAmount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<Payer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionAmount {
    /// What the order asked for (fen); this is what is checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_total: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_currency: Option<String>,
}

/// `trade_state` → outcome (APIv3 查询订单: SUCCESS, REFUND, NOTPAY, CLOSED,
/// REVOKED, USERPAYING, PAYERROR).
pub fn trade_state_outcome(trade_state: &str) -> Result<ProviderOutcome, WechatError> {
    Ok(match trade_state {
        "SUCCESS" => ProviderOutcome::Paid,
        "REFUND" => ProviderOutcome::Refunded,
        "NOTPAY" => ProviderOutcome::NotPaid,
        "CLOSED" | "REVOKED" => ProviderOutcome::Closed,
        "USERPAYING" => ProviderOutcome::Paying,
        "PAYERROR" => ProviderOutcome::Failed,
        other => return Err(WechatError::TradeState(other.to_owned())),
    })
}

impl Transaction {
    /// The observation for the payment transition.
    pub fn observation(&self, source: Source) -> Result<Observation, WechatError> {
        let outcome = trade_state_outcome(&self.trade_state)?;
        let amount = match &self.amount {
            Some(TransactionAmount {
                total: Some(total),
                currency,
                ..
            }) => Some(Amount::new(
                *total,
                Currency::new(currency.as_deref().unwrap_or("CNY"))?,
            )),
            _ => None,
        };
        if outcome == ProviderOutcome::Paid && (amount.is_none() || self.transaction_id.is_none()) {
            return Err(WechatError::Incomplete);
        }
        Ok(Observation {
            source,
            merchant_ref: MerchantRef::parse(&self.out_trade_no)?,
            outcome,
            amount,
            transaction_id: self.transaction_id.clone(),
        })
    }
}
