//! Signed requests to the gateway: the diner's redirect to the WAP cashier,
//! and the merchant's own `alipay.trade.query` / `.close` / `.refund` calls.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset, macros::format_description, macros::offset};

use super::AlipayError;
use super::sign::sign;
use crate::money::fen_to_yuan;
use crate::rsa_sha256::SigningKey;
use crate::{Amount, MerchantRef};

/// The gateway's clock: `timestamp` and `time_expire` are Beijing time.
const BEIJING: UtcOffset = offset!(+8);

/// The application's identity and where Alipay talks back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppIds {
    pub app_id: String,
    /// Asynchronous notifications are posted here.
    pub notify_url: String,
}

/// `alipay.trade.wap.pay`'s business content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WapPayContent {
    pub out_trade_no: String,
    /// Yuan, two decimals.
    pub total_amount: String,
    pub subject: String,
    pub product_code: String,
    /// `yyyy-MM-dd HH:mm:ss`, Beijing time: after it the diner cannot pay.
    pub time_expire: String,
    /// Where "back" in the cashier leads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quit_url: Option<String>,
}

/// `alipay.trade.query` and `alipay.trade.close`'s business content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeContent {
    pub out_trade_no: String,
}

/// `alipay.trade.refund`'s business content: `out_request_no` makes it once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundContent {
    pub out_trade_no: String,
    pub refund_amount: String,
    pub out_request_no: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_reason: Option<String>,
}

/// A request's parameters, signed, ready to be form-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest(pub BTreeMap<String, String>);

fn beijing(at: OffsetDateTime) -> Result<String, AlipayError> {
    at.to_offset(BEIJING)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .map_err(|e| AlipayError::Time(e.to_string()))
}

/// Signs `method` with `biz_content` and the common parameters.
pub fn signed(
    app: &AppIds,
    key: &SigningKey,
    method: &str,
    biz_content: &impl Serialize,
    now: OffsetDateTime,
    return_url: Option<&str>,
) -> Result<SignedRequest, AlipayError> {
    let mut params = BTreeMap::from([
        ("app_id".to_owned(), app.app_id.clone()),
        ("method".to_owned(), method.to_owned()),
        ("format".to_owned(), "JSON".to_owned()),
        ("charset".to_owned(), "utf-8".to_owned()),
        ("sign_type".to_owned(), "RSA2".to_owned()),
        ("timestamp".to_owned(), beijing(now)?),
        ("version".to_owned(), "1.0".to_owned()),
        ("notify_url".to_owned(), app.notify_url.clone()),
        (
            "biz_content".to_owned(),
            serde_json::to_string(biz_content)?,
        ),
    ]);
    if let Some(return_url) = return_url {
        params.insert("return_url".into(), return_url.to_owned());
    }
    sign(&mut params, key)?;
    Ok(SignedRequest(params))
}

impl SignedRequest {
    /// `application/x-www-form-urlencoded` body (or query string).
    pub fn form(&self) -> Result<String, AlipayError> {
        serde_urlencoded::to_string(&self.0).map_err(|e| AlipayError::Form(e.to_string()))
    }

    /// The URL the diner's browser opens (GET on the gateway).
    pub fn url(&self, gateway: &str) -> Result<String, AlipayError> {
        Ok(format!("{gateway}?{}", self.form()?))
    }
}

/// The signed redirect to the WAP cashier for attempt `merchant_ref`.
#[allow(clippy::too_many_arguments)]
pub fn wap_pay(
    app: &AppIds,
    key: &SigningKey,
    merchant_ref: &MerchantRef,
    amount: &Amount,
    subject: &str,
    expires_at: OffsetDateTime,
    return_url: &str,
    now: OffsetDateTime,
) -> Result<SignedRequest, AlipayError> {
    let content = WapPayContent {
        out_trade_no: merchant_ref.to_string(),
        total_amount: fen_to_yuan(amount.minor)?,
        subject: subject.to_owned(),
        product_code: "QUICK_WAP_WAY".into(),
        time_expire: beijing(expires_at)?,
        quit_url: Some(return_url.to_owned()),
    };
    signed(
        app,
        key,
        "alipay.trade.wap.pay",
        &content,
        now,
        Some(return_url),
    )
}

/// `alipay.trade.query` or `alipay.trade.close` for attempt `merchant_ref`.
pub fn trade_call(
    app: &AppIds,
    key: &SigningKey,
    method: TradeMethod,
    merchant_ref: &MerchantRef,
    now: OffsetDateTime,
) -> Result<SignedRequest, AlipayError> {
    let content = TradeContent {
        out_trade_no: merchant_ref.to_string(),
    };
    signed(app, key, method.name(), &content, now, None)
}

/// A full refund of the capture made by `trade`, under its own number.
pub fn refund(
    app: &AppIds,
    key: &SigningKey,
    trade: &MerchantRef,
    amount: &Amount,
    reason: &str,
    now: OffsetDateTime,
) -> Result<SignedRequest, AlipayError> {
    let content = RefundContent {
        out_trade_no: trade.to_string(),
        refund_amount: fen_to_yuan(amount.minor)?,
        out_request_no: MerchantRef::refund(trade.order_id(), trade.attempt())?.to_string(),
        refund_reason: Some(reason.to_owned()),
    };
    signed(app, key, "alipay.trade.refund", &content, now, None)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TradeMethod {
    Query,
    Close,
}

impl TradeMethod {
    pub fn name(self) -> &'static str {
        match self {
            TradeMethod::Query => "alipay.trade.query",
            TradeMethod::Close => "alipay.trade.close",
        }
    }
}
