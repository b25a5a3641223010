//! The diner's `openid`, which WeChat Pay's JSAPI needs inside the WeChat
//! browser: the official account's silent web authorisation
//! (`snsapi_base`), over `wendan_payments::wechat::oauth`. The AppSecret
//! stays here; the page only ever sees its own `openid`, in the fragment of
//! the widget's return URL.

use axum::http::Method;
use uuid::Uuid;
use wendan_payments::wechat::oauth::{self, OauthError};
use wendan_payments::wire::{WECHAT_OPENID_ERROR_FRAGMENT, WECHAT_OPENID_FRAGMENT};

use super::error::ProviderError;
use super::flags::Secret;
use super::http::ProviderHttp;
use super::paths::{PublicUrls, WECHAT_OPENID_PATH};
use super::provider::ProviderId;

/// What the official account's web authorisation needs.
#[derive(Debug, Clone)]
pub struct WebAuthorisation {
    /// The official account's appid (the JSAPI payment's appid).
    pub appid: String,
    /// The official account's AppSecret (开发者密码).
    pub app_secret: Secret,
    /// `https://open.weixin.qq.com`, or the sandbox.
    pub authorize_base: String,
    /// `https://api.weixin.qq.com`, or the sandbox.
    pub sns_base: String,
}

/// Why the diner's `openid` could not be had.
#[derive(Debug, thiserror::Error)]
pub enum OpenidError {
    #[error("WeChat's authorisation could not be reached: {0}")]
    Unreachable(#[source] ProviderError),
    #[error("WeChat gave no openid: {0}")]
    Refused(#[from] OauthError),
}

impl OpenidError {
    /// The word put in `#wechat_openid_error=…` for the page (which says it
    /// in the diner's language); the details stay in the server's log.
    pub fn word(&self) -> &'static str {
        match self {
            OpenidError::Unreachable(_) => "unreachable",
            OpenidError::Refused(OauthError::SnapshotUser) => "snapshot",
            OpenidError::Refused(_) => "refused",
        }
    }
}

pub struct OpenidExchange {
    config: WebAuthorisation,
    http: ProviderHttp,
    urls: PublicUrls,
}

impl OpenidExchange {
    pub fn new(config: WebAuthorisation, http: ProviderHttp, urls: PublicUrls) -> Self {
        OpenidExchange { config, http, urls }
    }

    /// Where the browser goes to authorise; WeChat sends it back to this
    /// server's [`WECHAT_OPENID_PATH`] for `order_id` with a code and `state`.
    pub fn authorize_url(&self, order_id: Uuid, state: &str) -> String {
        let back_here = format!(
            "{}?order_id={}",
            self.urls.url_of(WECHAT_OPENID_PATH),
            order_id.simple()
        );
        oauth::authorize_url(
            &self.config.authorize_base,
            &self.config.appid,
            &back_here,
            state,
        )
    }

    /// Exchanges WeChat's single-use `code` for the diner's `openid`.
    pub async fn openid(&self, code: &str) -> Result<String, OpenidError> {
        let url = oauth::access_token_url(
            &self.config.sns_base,
            &self.config.appid,
            self.config.app_secret.expose(),
            code,
        );
        let answer = self
            .http
            .send(ProviderId::Wechat, self.http.request(Method::GET, &url))
            .await
            .map_err(OpenidError::Unreachable)?;
        Ok(oauth::read_openid(&String::from_utf8_lossy(&answer.body))?)
    }

    /// The widget's return URL for `order_id`, carrying the `openid` (or why
    /// there is none) in its fragment: the page continues the payment the
    /// diner asked for.
    pub fn back_to_widget(&self, order_id: Uuid, outcome: &Result<String, &'static str>) -> String {
        let fragment = match outcome {
            Ok(openid) => format!("{WECHAT_OPENID_FRAGMENT}={openid}"),
            Err(word) => format!("{WECHAT_OPENID_ERROR_FRAGMENT}={word}"),
        };
        format!("{}#{fragment}", self.urls.return_url(order_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payments::http::Timeouts;

    fn exchange() -> OpenidExchange {
        let http =
            ProviderHttp::new(Timeouts::new(std::time::Duration::from_secs(1))).expect("client");
        OpenidExchange::new(
            WebAuthorisation {
                appid: "wxA".into(),
                app_secret: Secret::new("s"),
                authorize_base: "https://open.weixin.qq.com".into(),
                sns_base: "https://api.weixin.qq.com".into(),
            },
            http,
            PublicUrls::new("https://order.example/"),
        )
    }

    #[test]
    fn wechat_sends_the_diner_back_to_this_server_for_the_order() {
        let order = Uuid::from_u128(7);
        let url = exchange().authorize_url(order, "st");
        assert!(url.starts_with("https://open.weixin.qq.com/connect/oauth2/authorize?appid=wxA&redirect_uri=https%3A%2F%2Forder.example%2Fapi%2Fv1%2Fpayments%2Fwechat%2Fopenid%3Forder_id%3D00000000000000000000000000000007&"));
        assert!(url.ends_with("&state=st#wechat_redirect"));
    }

    #[test]
    fn the_widget_hears_the_openid_or_why_not_in_the_fragment() {
        let order = Uuid::from_u128(7);
        let exchange = exchange();
        assert_eq!(
            exchange.back_to_widget(order, &Ok("oAb_1".into())),
            format!("https://order.example/?payment_return={order}#wechat_openid=oAb_1")
        );
        assert_eq!(
            exchange.back_to_widget(order, &Err("refused")),
            format!("https://order.example/?payment_return={order}#wechat_openid_error=refused")
        );
    }
}
