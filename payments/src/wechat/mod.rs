//! WeChat Pay API v3 (微信支付 APIv3), as published, as pure functions.
//!
//! - [`auth`]: the merchant's `Authorization: WECHATPAY2-SHA256-RSA2048 …`
//!   request signature, and the `Wechatpay-*` signature on answers and
//!   notifications, checked with the platform key within a time tolerance.
//! - [`notification`]: the payment/refund notification, its resource
//!   decrypted with AEAD_AES_256_GCM under the merchant's APIv3 key.
//! - [`transaction`]: JSAPI and H5 prepay bodies, query by `out_trade_no`,
//!   close (关单), and the `trade_state` → [`crate::ProviderOutcome`] mapping.
//! - [`refund`]: domestic refunds by `out_refund_no`.
//! - [`oauth`]: the diner's `openid` by web authorisation (`snsapi_base`).
//! - [`jsapi`]: the `paySign` for `WeixinJSBridge.invoke('getBrandWCPayRequest', …)`.
//!
//! Keys, timestamps and nonces are arguments, so every function is
//! deterministic; the server passes its clock and random nonces in.

pub mod auth;
pub mod jsapi;
pub mod notification;
pub mod oauth;
pub mod refund;
pub mod transaction;

use time::Duration;

use crate::rsa_sha256::{KeyError, SignatureError};
use crate::{MerchantRefError, MoneyError};

/// The live API's base URL; the sandbox stands in for it in tests and demos.
pub const API_BASE: &str = "https://api.mch.weixin.qq.com";

/// Answers and notifications older or newer than this are refused, as the
/// official SDKs do (wechatpay-go `validators`: five minutes).
pub const TIMESTAMP_TOLERANCE: Duration = Duration::minutes(5);

/// The merchant's identity in requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantIds {
    /// 公众号/小程序 AppID the payment is made in.
    pub appid: String,
    /// 商户号.
    pub mchid: String,
    /// Where WeChat sends payment and refund notifications (HTTPS, no query).
    pub notify_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WechatError {
    #[error("header {0} is missing")]
    MissingHeader(&'static str),
    #[error("malformed Authorization header: {0}")]
    Authorization(String),
    #[error("timestamp {0:?} is not a number of seconds")]
    Timestamp(String),
    #[error("timestamp {timestamp} is more than five minutes from now ({now})")]
    Expired { timestamp: i64, now: i64 },
    #[error("no platform key with serial {0:?}")]
    UnknownSerial(String),
    #[error("signature: {0}")]
    Signature(#[from] SignatureError),
    #[error("key: {0}")]
    Key(#[from] KeyError),
    #[error("the APIv3 key must be 32 bytes")]
    ApiV3Key,
    #[error("unsupported algorithm {0:?}")]
    Algorithm(String),
    #[error("the resource does not decrypt under this APIv3 key (forged or wrong key)")]
    Decrypt,
    #[error("ciphertext or nonce is malformed: {0}")]
    Encoding(String),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unknown trade_state {0:?}")]
    TradeState(String),
    #[error("unknown refund status {0:?}")]
    RefundStatus(String),
    #[error("a successful payment without its transaction_id or amount")]
    Incomplete,
    #[error("merchant number: {0}")]
    MerchantRef(#[from] MerchantRefError),
    #[error("amount: {0}")]
    Money(#[from] MoneyError),
    #[error("time: {0}")]
    Time(String),
}

#[cfg(test)]
mod tests;
