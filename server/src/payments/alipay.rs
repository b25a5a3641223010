//! Alipay mobile-web payment (WAP) over the `wendan_payments::alipay` codec.
//! "Pay" is a signed redirect to the gateway: the trade comes into being when
//! the diner's browser opens the cashier, so a create calls nothing and the
//! same attempt always names the same trade. Query, close and refund are
//! signed gateway calls whose answers are verified with Alipay's key.

use std::collections::HashMap;

use async_trait::async_trait;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::value::RawValue;
use time::{Duration, OffsetDateTime};
use wendan_payments::alipay::notification::{self, SUCCESS};
use wendan_payments::alipay::request::{AppIds, SignedRequest, TradeMethod, trade_call, wap_pay};
use wendan_payments::alipay::response::{Call, SUCCESS_CODE, TRADE_NOT_EXIST, TradeAnswer, verify};
use wendan_payments::alipay::{AlipayError, request};
use wendan_payments::rsa_sha256::{SigningKey, VerifyingKey};
use wendan_payments::{MerchantRef, Observation, Source};

use super::error::{CodecError, NotificationError, ProviderError};
use super::http::ProviderHttp;
use super::paths::PublicUrls;
use super::provider::{
    Attempt, CaptureRefund, Channel, Created, Handoff, PaymentProvider, ProviderId,
};

const ID: ProviderId = ProviderId::Alipay;

/// Alipay's gateway-level "service unavailable" code: what happened is unknown.
const SERVICE_UNAVAILABLE: &str = "20000";
/// A paid (or refunded) trade cannot be closed.
const TRADE_STATUS_ERROR: &str = "ACQ.TRADE_STATUS_ERROR";

/// What a restaurant configures for Alipay (see `PaymentFlags`).
#[derive(Debug, Clone)]
pub struct AlipayConfig {
    pub app_id: String,
    /// The application's private key (RSA2).
    pub app_key: SigningKey,
    /// Alipay's public key, which signs answers and notifications.
    pub alipay_key: VerifyingKey,
    /// `https://openapi.alipay.com/gateway.do`, or the sandbox's.
    pub gateway_url: String,
}

pub struct Alipay {
    config: AlipayConfig,
    http: ProviderHttp,
    urls: PublicUrls,
}

impl Alipay {
    pub fn new(config: AlipayConfig, http: ProviderHttp, urls: PublicUrls) -> Self {
        Alipay { config, http, urls }
    }

    fn app(&self) -> AppIds {
        AppIds {
            app_id: self.config.app_id.clone(),
            notify_url: self.urls.notify_url(ID).unwrap_or_default(),
        }
    }

    /// Posts a signed call and reads its answer. A success is used only once
    /// its signature verifies; a refusal may come unsigned (the gateway
    /// signs none when it rejects the call itself), and then only its code is
    /// read, as Alipay's SDKs do.
    async fn call(
        &self,
        request: &SignedRequest,
        call: Call,
    ) -> Result<TradeAnswer, ProviderError> {
        let body = request
            .form()
            .map_err(|e| ProviderError::not_sent(ID)(e.into()))?;
        let http_request = self
            .http
            .request(Method::POST, &self.config.gateway_url)
            .header(
                CONTENT_TYPE,
                "application/x-www-form-urlencoded;charset=utf-8",
            )
            .body(body);
        let answer = self.http.send(ID, http_request).await?;
        if !answer.status.is_success() {
            return Err(ProviderError::Failed {
                provider: ID,
                status: answer.status.as_u16(),
                code: String::new(),
                message: answer.text(),
                provider_trouble: answer.status.is_server_error()
                    || answer.status == StatusCode::TOO_MANY_REQUESTS,
            });
        }
        let text = std::str::from_utf8(&answer.body)
            .map_err(|e| ProviderError::unreadable(ID)(CodecError::Other(e.to_string())))?;
        let trade = match verify(text, call, &self.config.alipay_key) {
            Ok(trade) => trade,
            Err(AlipayError::Missing("sign")) => match unsigned_member(text, call) {
                Some(refusal) if refusal.code != SUCCESS_CODE => refusal,
                _ => {
                    return Err(ProviderError::unreadable(ID)(
                        AlipayError::Missing("sign").into(),
                    ));
                }
            },
            Err(e) => return Err(ProviderError::unreadable(ID)(e.into())),
        };
        Ok(trade)
    }

    /// A trade call whose refusals (other than the ones the codec reads) are errors.
    async fn trade(
        &self,
        method: TradeMethod,
        trade: &MerchantRef,
        now: OffsetDateTime,
    ) -> Result<TradeAnswer, ProviderError> {
        let request = trade_call(&self.app(), &self.config.app_key, method, trade, now)
            .map_err(|e| ProviderError::not_sent(ID)(e.into()))?;
        let call = match method {
            TradeMethod::Query => Call::Query,
            TradeMethod::Close => Call::Close,
        };
        self.call(&request, call).await
    }
}

/// The `*_response` member of an answer, unverified: only for reading a refusal.
fn unsigned_member(text: &str, call: Call) -> Option<TradeAnswer> {
    let members: HashMap<String, &RawValue> = serde_json::from_str(text).ok()?;
    serde_json::from_str(members.get(&call.member())?.get()).ok()
}

/// A refusal the codec does not turn into an observation, as an error.
fn refused(answer: &TradeAnswer) -> ProviderError {
    let sub_code = answer.sub_code.clone().unwrap_or_default();
    ProviderError::Failed {
        provider: ID,
        status: StatusCode::OK.as_u16(),
        provider_trouble: answer.code == SERVICE_UNAVAILABLE || sub_code.ends_with("SYSTEM_ERROR"),
        code: if sub_code.is_empty() {
            answer.code.clone()
        } else {
            sub_code
        },
        message: answer.sub_msg.clone().unwrap_or_else(|| answer.msg.clone()),
    }
}

fn is_refusal(answer: &TradeAnswer, sub_code: &str) -> bool {
    answer.code != SUCCESS_CODE && answer.sub_code.as_deref() == Some(sub_code)
}

/// The codec's reading of an answer: refusals it does not know become errors.
fn observe(
    answer: &TradeAnswer,
    call: Call,
    trade: &MerchantRef,
    source: Source,
) -> Result<Option<Observation>, ProviderError> {
    if answer.code != SUCCESS_CODE && !is_refusal(answer, TRADE_NOT_EXIST) {
        return Err(refused(answer));
    }
    answer
        .observation(call, trade, source)
        .map_err(|e| ProviderError::unreadable(ID)(e.into()))
}

#[async_trait]
impl PaymentProvider for Alipay {
    fn id(&self) -> ProviderId {
        ID
    }

    /// A diner standing at the counter: a quarter of an hour.
    fn attempt_lifetime(&self) -> Duration {
        Duration::minutes(15)
    }

    async fn create(
        &self,
        attempt: &Attempt,
        now: OffsetDateTime,
    ) -> Result<Created, ProviderError> {
        if attempt.channel != Channel::AlipayWap {
            return Err(ProviderError::foreign_channel(ID));
        }
        let redirect = wap_pay(
            &self.app(),
            &self.config.app_key,
            &attempt.merchant_ref,
            &attempt.amount,
            &attempt.description,
            attempt.expires_at,
            &self.urls.return_url(attempt.merchant_ref.order_id()),
            now,
        )
        .and_then(|signed| signed.url(&self.config.gateway_url))
        .map_err(|e| ProviderError::not_sent(ID)(e.into()))?;
        Ok(Created {
            handoff: Handoff::Redirect { url: redirect },
            handle: None,
        })
    }

    async fn query(
        &self,
        attempt: &Attempt,
        now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError> {
        let trade = &attempt.merchant_ref;
        let answer = self.trade(TradeMethod::Query, trade, now).await?;
        observe(&answer, Call::Query, trade, Source::Query)
    }

    async fn close(
        &self,
        attempt: &Attempt,
        now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError> {
        let trade = &attempt.merchant_ref;
        let answer = self.trade(TradeMethod::Close, trade, now).await?;
        if is_refusal(&answer, TRADE_STATUS_ERROR) {
            // Paid (or refunded) after all: the query says which.
            return self.query(attempt, now).await;
        }
        if is_refusal(&answer, TRADE_NOT_EXIST) {
            return Ok(attempt.closed_if_expired(now));
        }
        observe(&answer, Call::Close, trade, Source::CloseAnswer)
    }

    async fn refund(
        &self,
        refund: &CaptureRefund,
        now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError> {
        let request = request::refund(
            &self.app(),
            &self.config.app_key,
            &refund.trade,
            &refund.amount,
            &refund.reason,
            now,
        )
        .map_err(|e| ProviderError::not_sent(ID)(e.into()))?;
        let answer = self.call(&request, Call::Refund).await?;
        observe(&answer, Call::Refund, &refund.trade, Source::RefundAnswer)
    }

    fn verify_notification(
        &self,
        _headers: &HeaderMap,
        body: &[u8],
        _now: OffsetDateTime,
    ) -> Result<Option<Observation>, NotificationError> {
        let verified = notification::verify(body, &self.config.app_id, &self.config.alipay_key)
            .map_err(|source| NotificationError::Unverified {
                provider: ID,
                source: source.into(),
            })?;
        verified
            .observation()
            .map(Some)
            .map_err(|source| NotificationError::Unreadable {
                provider: ID,
                source: source.into(),
            })
    }

    /// Exactly `success`, or Alipay sends it again (about 8 times over 25 h).
    fn acknowledgement(&self) -> Response {
        SUCCESS.into_response()
    }

    fn rejection(&self) -> Response {
        (StatusCode::BAD_REQUEST, "fail").into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(code: &str, sub_code: Option<&str>) -> TradeAnswer {
        TradeAnswer {
            code: code.into(),
            sub_code: sub_code.map(str::to_owned),
            ..TradeAnswer::default()
        }
    }

    #[test]
    fn gateway_trouble_is_an_unknown_outcome_and_a_refusal_is_not() {
        assert!(refused(&answer(SERVICE_UNAVAILABLE, Some("isp.unknown-error"))).outcome_unknown());
        assert!(refused(&answer("40004", Some("ACQ.SYSTEM_ERROR"))).outcome_unknown());
        let refusal = refused(&answer("40004", Some("ACQ.TRADE_HAS_CLOSE")));
        assert!(!refusal.outcome_unknown());
        assert_eq!(refusal.code(), Some("ACQ.TRADE_HAS_CLOSE"));
    }

    #[test]
    fn an_unsigned_refusal_is_read_and_an_unsigned_success_is_not() {
        let refusal = r#"{"alipay_trade_query_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错"}}"#;
        let read = unsigned_member(refusal, Call::Query).unwrap();
        assert_eq!(read.sub_code.as_deref(), Some("isv.invalid-signature"));
        assert!(unsigned_member("not json", Call::Query).is_none());
        assert!(unsigned_member(refusal, Call::Close).is_none());
    }
}
