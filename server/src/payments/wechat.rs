//! WeChat Pay API v3 over the `wendan_payments::wechat` codec: JSAPI inside
//! WeChat (the diner's `openid`), H5 in other mobile browsers, and the
//! mini-program hand-over. Every request is signed
//! (`WECHATPAY2-SHA256-RSA2048`); every successful answer's `Wechatpay-*`
//! signature is checked with the platform key before it is read, as the
//! official SDKs do (errors are read unsigned: they change nothing).

use async_trait::async_trait;
use axum::Json;
use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use time::macros::offset;
use time::{Duration, OffsetDateTime, UtcOffset};
use uuid::Uuid;
use wendan_payments::rsa_sha256::SigningKey;
use wendan_payments::wechat::auth::{MerchantSigner, PlatformKeys, WechatpayHeaders};
use wendan_payments::wechat::jsapi::{BridgePayment, bridge_payment};
use wendan_payments::wechat::notification::{ApiV3Key, Notification, verify_and_decrypt};
use wendan_payments::wechat::refund::{REFUNDS_PATH, Refund, RefundRequest};
use wendan_payments::wechat::transaction::{
    self, ApiError, CloseRequest, H5Prepay, JsapiPrepay, PrepayRequest, Transaction, close_url,
    query_url,
};
use wendan_payments::wechat::{MerchantIds, WechatError};
use wendan_payments::{Observation, Source};

use super::error::{CodecError, NotificationError, ProviderError};
use super::http::{Answer, ProviderHttp};
use super::paths::PublicUrls;
use super::provider::{
    Attempt, CaptureRefund, Channel, Created, Handoff, PaymentProvider, ProviderId,
};
use super::wechat_openid::WebAuthorisation;

const ID: ProviderId = ProviderId::Wechat;
/// WeChat Pay's clock.
const BEIJING: UtcOffset = offset!(+8);

/// What a restaurant configures for WeChat Pay (see `PaymentFlags`).
#[derive(Debug, Clone)]
pub struct WechatPayConfig {
    /// 商户号.
    pub mchid: String,
    /// The official account's (公众号) appid: JSAPI and H5.
    pub appid: String,
    /// The mini-program's appid: its payments are made under it, with an
    /// `openid` of that mini-program. Without it the hand-over is refused.
    pub miniprogram_appid: Option<String>,
    /// `apiclient_key.pem` and its certificate's serial number.
    pub merchant_key: SigningKey,
    pub merchant_serial: String,
    /// The APIv3 key notifications are encrypted under.
    pub api_v3_key: ApiV3Key,
    /// WeChat Pay's platform public key(s), by serial.
    pub platform: PlatformKeys,
    /// `https://api.mch.weixin.qq.com`, or the sandbox.
    pub base_url: String,
    /// The official account's web authorisation, for JSAPI's `openid`
    /// (taken out at start into its own [`OpenidExchange`]).
    ///
    /// [`OpenidExchange`]: super::wechat_openid::OpenidExchange
    pub web_authorisation: Option<WebAuthorisation>,
}

pub struct WechatPay {
    config: WechatPayConfig,
    signer: MerchantSigner,
    http: ProviderHttp,
    urls: PublicUrls,
}

/// How the bridge parameters reach the diner.
enum Bridge {
    Jsapi,
    MiniProgram,
}

impl WechatPay {
    pub fn new(config: WechatPayConfig, http: ProviderHttp, urls: PublicUrls) -> Self {
        let signer = MerchantSigner::new(
            config.mchid.clone(),
            config.merchant_serial.clone(),
            config.merchant_key.clone(),
        );
        WechatPay {
            config,
            signer,
            http,
            urls,
        }
    }

    /// One signed call. A 2xx answer is returned only once its signature
    /// verifies; any other status is [`ProviderError::Failed`].
    async fn call(
        &self,
        method: Method,
        path_and_query: &str,
        body: String,
        now: OffsetDateTime,
    ) -> Result<Answer, ProviderError> {
        let url = format!(
            "{}{path_and_query}",
            self.config.base_url.trim_end_matches('/')
        );
        // The signature covers the URL as the provider receives it: the base
        // URL's own path (a proxy prefix) included.
        let parsed = reqwest::Url::parse(&url)
            .map_err(|e| ProviderError::not_sent(ID)(CodecError::Other(e.to_string())))?;
        let canonical = match parsed.query() {
            Some(query) => format!("{}?{query}", parsed.path()),
            None => parsed.path().to_owned(),
        };
        let nonce = Uuid::new_v4().simple().to_string();
        let authorization = self
            .signer
            .authorization(
                method.as_str(),
                &canonical,
                &body,
                now.unix_timestamp(),
                &nonce,
            )
            .map_err(|e| ProviderError::not_sent(ID)(e.into()))?;
        let mut request = self
            .http
            .request(method, parsed.as_str())
            .header(AUTHORIZATION, authorization)
            .header(ACCEPT, "application/json");
        if !body.is_empty() {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let answer = self.http.send(ID, request).await?;
        if !answer.status.is_success() {
            return Err(failed(&answer));
        }
        WechatpayHeaders::from_headers(|name| answer.header(name))
            .and_then(|signed| signed.verify(&answer.body, &self.config.platform, now))
            .map_err(|e| ProviderError::unreadable(ID)(e.into()))?;
        Ok(answer)
    }

    fn merchant(&self, appid: &str) -> MerchantIds {
        MerchantIds {
            appid: appid.to_owned(),
            mchid: self.config.mchid.clone(),
            notify_url: self.urls.notify_url(ID).unwrap_or_default(),
        }
    }

    fn bridge(
        &self,
        appid: &str,
        prepay_id: &str,
        now: OffsetDateTime,
    ) -> Result<BridgePayment, ProviderError> {
        let nonce = Uuid::new_v4().simple().to_string();
        bridge_payment(&self.signer, appid, prepay_id, now.unix_timestamp(), &nonce)
            .map_err(|e| ProviderError::not_sent(ID)(e.into()))
    }
}

/// A non-2xx answer as [`ProviderError::Failed`]: WeChat's `{"code", "message"}`.
fn failed(answer: &Answer) -> ProviderError {
    let error: Option<ApiError> = serde_json::from_slice(&answer.body).ok();
    let (code, message) = match error {
        Some(error) => (error.code, error.message),
        None => (String::new(), answer.text()),
    };
    let status = answer.status;
    ProviderError::Failed {
        provider: ID,
        status: status.as_u16(),
        provider_trouble: status.is_server_error()
            || status == StatusCode::TOO_MANY_REQUESTS
            || code == "SYSTEM_ERROR",
        code,
        message,
    }
}

fn read<T: DeserializeOwned>(answer: &Answer) -> Result<T, ProviderError> {
    serde_json::from_slice(&answer.body).map_err(|e| ProviderError::unreadable(ID)(e.into()))
}

fn is_code(error: &ProviderError, wanted: &str) -> bool {
    error.code() == Some(wanted)
}

/// Appends `redirect_url` to `h5_url`, as WeChat's H5 guide says (URL-encoded).
fn h5_redirect(h5_url: &str, return_url: &str) -> Result<String, ProviderError> {
    let pair = serde_urlencoded::to_string([("redirect_url", return_url)])
        .map_err(|e| ProviderError::not_sent(ID)(CodecError::Other(e.to_string())))?;
    let joiner = if h5_url.contains('?') { '&' } else { '?' };
    Ok(format!("{h5_url}{joiner}{pair}"))
}

/// Which notification failures mean "not from WeChat Pay for us".
fn is_forgery(error: &WechatError) -> bool {
    matches!(
        error,
        WechatError::MissingHeader(_)
            | WechatError::Timestamp(_)
            | WechatError::Expired { .. }
            | WechatError::UnknownSerial(_)
            | WechatError::Signature(_)
            | WechatError::Decrypt
            | WechatError::Algorithm(_)
            | WechatError::Encoding(_)
            | WechatError::ApiV3Key
    )
}

#[async_trait]
impl PaymentProvider for WechatPay {
    fn id(&self) -> ProviderId {
        ID
    }

    /// A diner standing at the counter: a quarter of an hour.
    fn attempt_lifetime(&self) -> Duration {
        Duration::minutes(15)
    }

    /// A mini-program payment only with the mini-program's appid.
    fn accepts(&self, channel: &Channel) -> bool {
        match channel {
            Channel::WechatMiniProgram { .. } => self.config.miniprogram_appid.is_some(),
            other => other.provider() == ID,
        }
    }

    async fn create(
        &self,
        attempt: &Attempt,
        now: OffsetDateTime,
    ) -> Result<Created, ProviderError> {
        let (appid, channel, bridge) = match &attempt.channel {
            Channel::WechatJsapi { openid } => (
                self.config.appid.clone(),
                transaction::Channel::Jsapi {
                    openid: openid.clone(),
                },
                Some(Bridge::Jsapi),
            ),
            Channel::WechatMiniProgram { openid } => (
                self.config
                    .miniprogram_appid
                    .clone()
                    .ok_or(ProviderError::Unsupported {
                        provider: ID,
                        what: "pay in a mini-program without --wechat-miniprogram-appid",
                    })?,
                transaction::Channel::Jsapi {
                    openid: openid.clone(),
                },
                Some(Bridge::MiniProgram),
            ),
            Channel::WechatH5 { payer_client_ip } => (
                self.config.appid.clone(),
                transaction::Channel::H5 {
                    payer_client_ip: payer_client_ip.clone(),
                },
                None,
            ),
            _ => return Err(ProviderError::foreign_channel(ID)),
        };
        let request = PrepayRequest::new(
            &self.merchant(&appid),
            &attempt.merchant_ref,
            &attempt.amount,
            &attempt.description,
            // `time_expire` as WeChat's documents write it (`…+08:00`).
            attempt.expires_at.to_offset(BEIJING),
            channel,
        )
        .map_err(|e| ProviderError::not_sent(ID)(e.into()))?;
        let body =
            serde_json::to_string(&request).map_err(|e| ProviderError::not_sent(ID)(e.into()))?;
        let answer = self.call(Method::POST, request.path(), body, now).await?;
        let order_id = attempt.merchant_ref.order_id();
        let (handoff, handle) = match bridge {
            Some(bridge) => {
                let prepay_id = read::<JsapiPrepay>(&answer)?.prepay_id;
                let payment = self.bridge(&appid, &prepay_id, now)?;
                let handoff = match bridge {
                    Bridge::Jsapi => Handoff::WechatBridge { payment },
                    // The order's id as every other answer writes it.
                    Bridge::MiniProgram => Handoff::MiniProgram {
                        order_id: order_id.simple().to_string(),
                        payment,
                    },
                };
                (handoff, prepay_id)
            }
            None => {
                let h5_url = read::<H5Prepay>(&answer)?.h5_url;
                let url = h5_redirect(&h5_url, &self.urls.return_url(order_id))?;
                (Handoff::Redirect { url }, h5_url)
            }
        };
        Ok(Created {
            handoff,
            handle: Some(handle),
        })
    }

    async fn query(
        &self,
        attempt: &Attempt,
        now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError> {
        let path = query_url(&attempt.merchant_ref.to_string(), &self.config.mchid);
        match self.call(Method::GET, &path, String::new(), now).await {
            Ok(answer) => read::<Transaction>(&answer)?
                .observation(Source::Query)
                .map(Some)
                .map_err(|e| ProviderError::unreadable(ID)(e.into())),
            Err(e) if is_code(&e, "ORDER_NOT_EXIST") => {
                Ok(Some(attempt.unknown_to_provider(Source::Query)))
            }
            Err(e) => Err(e),
        }
    }

    async fn close(
        &self,
        attempt: &Attempt,
        now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError> {
        let body = serde_json::to_string(&CloseRequest {
            mchid: self.config.mchid.clone(),
        })
        .map_err(|e| ProviderError::not_sent(ID)(e.into()))?;
        let path = close_url(&attempt.merchant_ref.to_string());
        match self.call(Method::POST, &path, body, now).await {
            Ok(_) => Ok(Some(attempt.says(
                Source::CloseAnswer,
                wendan_payments::ProviderOutcome::Closed,
            ))),
            // Paid after all: the query says so, with the capture.
            Err(e) if is_code(&e, "ORDERPAID") => self.query(attempt, now).await,
            Err(e) if is_code(&e, "ORDER_NOT_EXIST") => Ok(attempt.closed_if_expired(now)),
            Err(e) => Err(e),
        }
    }

    async fn refund(
        &self,
        refund: &CaptureRefund,
        now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError> {
        let request = RefundRequest::full(
            &refund.trade,
            &refund.amount,
            &refund.reason,
            self.urls.notify_url(ID),
        )
        .map_err(|e| ProviderError::not_sent(ID)(e.into()))?;
        let body =
            serde_json::to_string(&request).map_err(|e| ProviderError::not_sent(ID)(e.into()))?;
        let answer = self.call(Method::POST, REFUNDS_PATH, body, now).await?;
        read::<Refund>(&answer)?
            .observation(Source::RefundAnswer)
            .map_err(|e| ProviderError::unreadable(ID)(e.into()))
    }

    fn verify_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<Observation>, NotificationError> {
        let classify = |error: WechatError| {
            if is_forgery(&error) {
                NotificationError::Unverified {
                    provider: ID,
                    source: error.into(),
                }
            } else {
                NotificationError::Unreadable {
                    provider: ID,
                    source: error.into(),
                }
            }
        };
        let signed = WechatpayHeaders::from_headers(|name| headers.get(name)?.to_str().ok())
            .map_err(classify)?;
        let notification = verify_and_decrypt(
            &signed,
            body,
            &self.config.platform,
            &self.config.api_v3_key,
            now,
        )
        .map_err(classify)?;
        match notification {
            Notification::Transaction { transaction, .. } => {
                if transaction.mchid != self.config.mchid {
                    return Err(NotificationError::Unverified {
                        provider: ID,
                        source: CodecError::Other(format!(
                            "the payment is for merchant {}",
                            transaction.mchid
                        )),
                    });
                }
                transaction
                    .observation(Source::Notification)
                    .map(Some)
                    .map_err(classify)
            }
            Notification::Refund { refund, .. } => {
                refund.observation(Source::Notification).map_err(classify)
            }
        }
    }

    /// 接收成功: 200 or 204, no body.
    fn acknowledgement(&self) -> Response {
        StatusCode::NO_CONTENT.into_response()
    }

    /// 接收失败: a 4xx/5xx with `{"code": "FAIL", "message": …}`.
    fn rejection(&self) -> Response {
        (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"code": "FAIL", "message": "失败"})),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_return_address_is_appended_url_encoded() {
        assert_eq!(
            h5_redirect(
                "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1&package=2",
                "https://order.example/?payment_return=1"
            )
            .unwrap(),
            "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1&package=2\
             &redirect_url=https%3A%2F%2Forder.example%2F%3Fpayment_return%3D1"
        );
        assert!(
            h5_redirect("https://h5.example/pay", "https://r.example/")
                .unwrap()
                .starts_with("https://h5.example/pay?redirect_url=")
        );
    }

    #[test]
    fn server_trouble_is_an_unknown_outcome_and_a_refusal_is_not() {
        let answer = |status: u16, body: &str| Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: body.to_owned().into(),
        };
        let trouble = failed(&answer(
            500,
            r#"{"code":"SYSTEM_ERROR","message":"系统错误"}"#,
        ));
        assert!(trouble.outcome_unknown());
        assert!(
            failed(&answer(
                429,
                r#"{"code":"FREQUENCY_LIMITED","message":"频率超限"}"#
            ))
            .outcome_unknown()
        );
        let refused = failed(&answer(
            400,
            r#"{"code":"ORDERPAID","message":"订单已支付"}"#,
        ));
        assert!(!refused.outcome_unknown());
        assert_eq!(refused.code(), Some("ORDERPAID"));
        let html = failed(&answer(502, "<html>bad gateway</html>"));
        assert!(html.outcome_unknown());
        assert_eq!(html.code(), Some(""));
    }
}
