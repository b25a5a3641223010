//! The server's own addresses the providers are told, in one place: where
//! they post notifications, and where their pages send the diner back.
//! Both hang off `--public-url`, since the providers reach the server from
//! the internet.

use uuid::Uuid;

use super::provider::ProviderId;

/// WeChat Pay's payment and refund notifications (支付/退款结果通知).
pub const WECHAT_NOTIFY_PATH: &str = "/api/v1/payments/wechat/notify";
/// Alipay's asynchronous notifications (异步通知).
pub const ALIPAY_NOTIFY_PATH: &str = "/api/v1/payments/alipay/notify";
/// Stripe's webhook endpoint (registered in Stripe's dashboard, not sent per request).
pub const STRIPE_WEBHOOK_PATH: &str = "/api/v1/payments/stripe/webhook";
/// Where the WeChat browser starts the official account's web authorisation
/// (the widget sends the diner there; shared with it through the wire types).
pub use wendan_payments::wire::WECHAT_AUTHORIZE_PATH;
/// Where WeChat's web authorisation sends the diner back with a code (the
/// official account's 网页授权域名 must be this server's host).
pub const WECHAT_OPENID_PATH: &str = "/api/v1/payments/wechat/openid";

/// The query parameter that tells the widget, on the diner's return from a
/// provider's page, which order's payment to show (and have the server query).
pub use wendan_payments::wire::PAYMENT_RETURN_PARAMETER as RETURN_PARAMETER;

/// Where a provider posts its notifications, by provider.
pub const fn notify_path(provider: ProviderId) -> Option<&'static str> {
    match provider {
        ProviderId::Wechat => Some(WECHAT_NOTIFY_PATH),
        ProviderId::Alipay => Some(ALIPAY_NOTIFY_PATH),
        ProviderId::Stripe => Some(STRIPE_WEBHOOK_PATH),
        ProviderId::Counter => None,
    }
}

/// Absolute URLs under `--public-url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrls {
    base: String,
}

impl PublicUrls {
    pub fn new(public_url: &str) -> Self {
        PublicUrls {
            base: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The notify URL `provider` is told (none for the counter).
    pub fn notify_url(&self, provider: ProviderId) -> Option<String> {
        notify_path(provider).map(|path| format!("{}{path}", self.base))
    }

    /// `path` on this server, as the internet reaches it.
    pub fn url_of(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Where the provider's page sends the diner back for `order_id`: the
    /// widget. The same for paying and for giving up, because only the
    /// provider's word (notification or query) says which it was; and the
    /// same on every resume, because it is part of what the provider is sent.
    pub fn return_url(&self, order_id: Uuid) -> String {
        format!("{}/?{RETURN_PARAMETER}={order_id}", self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_hang_off_the_public_url() {
        let urls = PublicUrls::new("https://order.example/");
        assert_eq!(
            urls.notify_url(ProviderId::Wechat).as_deref(),
            Some("https://order.example/api/v1/payments/wechat/notify")
        );
        assert_eq!(urls.notify_url(ProviderId::Counter), None);
        let order = Uuid::from_u128(7);
        assert_eq!(
            urls.return_url(order),
            format!("https://order.example/?payment_return={order}")
        );
    }
}
