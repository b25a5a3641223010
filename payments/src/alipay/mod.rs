//! Alipay mobile-web payment (手机网站支付, `alipay.trade.wap.pay`) and the
//! trade APIs around it, as published, as pure functions.
//!
//! - [`sign`]: RSA2 (SHA256withRSA) over the sorted `key=value&…` string.
//! - [`request`]: the signed gateway redirect for the diner, and the signed
//!   `alipay.trade.query` / `.close` / `.refund` form bodies.
//! - [`response`]: the gateway's JSON answers, verified over the exact text of
//!   their `*_response` member.
//! - [`notification`]: the asynchronous notification (form POST, answered
//!   with exactly [`notification::SUCCESS`]), verified and mapped.
//!
//! The diner's return through `return_url` proves nothing: only a verified
//! notification or a query does.

pub mod notification;
pub mod request;
pub mod response;
pub mod sign;

use crate::rsa_sha256::{KeyError, SignatureError};
use crate::{MerchantRefError, MoneyError};

/// The live gateway; the sandbox stands in for it.
pub const GATEWAY: &str = "https://openapi.alipay.com/gateway.do";

#[derive(Debug, thiserror::Error)]
pub enum AlipayError {
    #[error("parameter {0} is missing")]
    Missing(&'static str),
    #[error("signature: {0}")]
    Signature(#[from] SignatureError),
    #[error("key: {0}")]
    Key(#[from] KeyError),
    #[error("sign_type {0:?} is not RSA2")]
    SignType(String),
    #[error("app_id {0:?} is not ours")]
    AppId(String),
    #[error("not form-encoded: {0}")]
    Form(String),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the answer has no {0} member")]
    NoResponse(String),
    #[error("unknown trade_status {0:?}")]
    TradeStatus(String),
    #[error("Alipay refused: {code} {sub_code} {sub_msg}")]
    Refused {
        code: String,
        sub_code: String,
        sub_msg: String,
    },
    #[error("merchant number: {0}")]
    MerchantRef(#[from] MerchantRefError),
    #[error("amount: {0}")]
    Money(#[from] MoneyError),
    #[error("time: {0}")]
    Time(String),
}

#[cfg(test)]
mod tests;
