//! The payment flags, flattened into `Config`: when diners pay
//! (`--payment`), each provider's credentials (a provider is enabled exactly
//! when its credentials are given), and the sandbox. They are read and
//! checked at start by [`PaymentFlags::providers`](super::setup).

use std::convert::Infallible;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, ValueEnum};

/// When diners pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum PaymentMode {
    /// The order goes to the kitchen at once; the bill is settled later
    /// (at the counter, or online from the widget). Wendan's behaviour before payments.
    #[default]
    PayLater,
    /// An order reaches the kitchen only once it is paid.
    PayFirst,
    /// The diner chooses: dine-in may pay later, pickup must pay first.
    Either,
}

impl PaymentMode {
    pub const fn as_str(self) -> &'static str {
        match self {
            PaymentMode::PayLater => "pay-later",
            PaymentMode::PayFirst => "pay-first",
            PaymentMode::Either => "either",
        }
    }

    /// Some diners must pay before cooking, so an online provider must exist.
    pub const fn needs_online_provider(self) -> bool {
        !matches!(self, PaymentMode::PayLater)
    }

    /// Whether an order of `mode` waits for its payment before the kitchen
    /// sees it (`either`: pickup pays first, a table may pay after eating).
    pub const fn pays_first(self, mode: wendan_protocol::order::OrderMode) -> bool {
        match self {
            PaymentMode::PayLater => false,
            PaymentMode::PayFirst => true,
            PaymentMode::Either => matches!(mode, wendan_protocol::order::OrderMode::Pickup),
        }
    }
}

impl fmt::Display for PaymentMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret from the command line or environment: never shown by `Debug`
/// (so neither `Config`'s debug output nor a log line can leak it).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl FromStr for Secret {
    type Err = Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Secret::new(text.trim()))
    }
}

#[derive(Debug, Clone, Args)]
pub struct PaymentFlags {
    /// When diners pay: `pay-later` (the order goes to the kitchen at once,
    /// the bill is settled later), `pay-first` (an order reaches the kitchen
    /// only once paid) or `either` (dine-in may pay later, pickup pays
    /// first). `pay-first` and `either` need an online provider.
    #[arg(
        long = "payment",
        env = "WENDAN_PAYMENT",
        value_enum,
        default_value_t,
        help_heading = "Payments"
    )]
    pub mode: PaymentMode,

    /// Seconds a call to a payment provider may take before it counts as
    /// unanswered (and is followed by a query, never a second payment).
    #[arg(
        long,
        env = "WENDAN_PAYMENT_TIMEOUT_SECS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=120),
        help_heading = "Payments"
    )]
    pub payment_timeout_secs: u64,

    /// How often the server looks for payments that need it: attempts the
    /// provider has been silent about (queried on a backing-off schedule,
    /// closed at expiry), refunds not yet confirmed, unpaid orders past
    /// their time.
    #[arg(
        long,
        env = "WENDAN_PAYMENT_SWEEP_SECONDS",
        default_value_t = 5,
        value_parser = clap::value_parser!(u64).range(1..=600),
        help_heading = "Payments"
    )]
    pub payment_sweep_seconds: u64,

    /// How long a diner has to pay once "Pay" is tapped, when shorter than
    /// the provider's own (WeChat Pay and Alipay 15 minutes, Stripe an hour;
    /// Stripe takes no less than 30). An order waits unpaid this long, and
    /// five minutes more, before it is cancelled.
    #[arg(
        long,
        env = "WENDAN_PAYMENT_WINDOW_SECONDS",
        value_parser = clap::value_parser!(u64).range(60..=3600),
        help_heading = "Payments"
    )]
    pub payment_window_seconds: Option<u64>,

    /// The payment sandbox's keys directory (`wendan-paysim --keys-dir`):
    /// configures WeChat Pay, Alipay and Stripe against the sandbox at
    /// `--payment-sandbox-url`. No real money; refused with real credentials.
    #[arg(
        long,
        env = "WENDAN_PAYMENT_SANDBOX",
        value_name = "DIR",
        help_heading = "Payments"
    )]
    pub payment_sandbox: Option<PathBuf>,

    /// Where the payment sandbox listens (`http://127.0.0.1:8090`).
    #[arg(
        long,
        env = "WENDAN_PAYMENT_SANDBOX_URL",
        value_name = "URL",
        help_heading = "Payments"
    )]
    pub payment_sandbox_url: Option<String>,

    /// WeChat Pay merchant number (商户号). WeChat Pay is enabled by its
    /// mchid, appid, merchant key and serial, APIv3 key and platform key and serial.
    #[arg(long, env = "WENDAN_WECHAT_MCHID", help_heading = "WeChat Pay")]
    pub wechat_mchid: Option<String>,

    /// The official account's appid (公众号 AppID) payments are made under (JSAPI, H5).
    #[arg(long, env = "WENDAN_WECHAT_APPID", help_heading = "WeChat Pay")]
    pub wechat_appid: Option<String>,

    /// The mini-program's appid, for payments handed over from its web-view
    /// (optional; without it the widget offers no mini-program payment).
    #[arg(
        long,
        env = "WENDAN_WECHAT_MINIPROGRAM_APPID",
        help_heading = "WeChat Pay"
    )]
    pub wechat_miniprogram_appid: Option<String>,

    /// The merchant API private key file (`apiclient_key.pem`).
    #[arg(
        long,
        env = "WENDAN_WECHAT_MERCHANT_KEY",
        value_name = "FILE",
        help_heading = "WeChat Pay"
    )]
    pub wechat_merchant_key: Option<PathBuf>,

    /// The serial number of the merchant API certificate.
    #[arg(
        long,
        env = "WENDAN_WECHAT_MERCHANT_SERIAL",
        help_heading = "WeChat Pay"
    )]
    pub wechat_merchant_serial: Option<String>,

    /// The APIv3 key (32 characters, set in the merchant platform).
    #[arg(
        long,
        env = "WENDAN_WECHAT_APIV3_KEY",
        hide_env_values = true,
        help_heading = "WeChat Pay"
    )]
    pub wechat_apiv3_key: Option<Secret>,

    /// WeChat Pay's platform public key file (`pub_key.pem`), which signs its
    /// answers and notifications.
    #[arg(
        long,
        env = "WENDAN_WECHAT_PLATFORM_KEY",
        value_name = "FILE",
        help_heading = "WeChat Pay"
    )]
    pub wechat_platform_key: Option<PathBuf>,

    /// The platform public key's id (`PUB_KEY_ID_…`) or certificate serial,
    /// as answers name it in `Wechatpay-Serial`.
    #[arg(
        long,
        env = "WENDAN_WECHAT_PLATFORM_SERIAL",
        help_heading = "WeChat Pay"
    )]
    pub wechat_platform_serial: Option<String>,

    /// WeChat Pay's API [default: https://api.mch.weixin.qq.com].
    #[arg(
        long,
        env = "WENDAN_WECHAT_BASE_URL",
        value_name = "URL",
        help_heading = "WeChat Pay"
    )]
    pub wechat_base_url: Option<String>,

    /// The official account's AppSecret (开发者密码). Optional: with it,
    /// diners inside the WeChat browser pay there (JSAPI); the server learns
    /// their `openid` by the account's silent web authorisation, whose
    /// domain (网页授权域名) must be this server's host.
    #[arg(
        long,
        env = "WENDAN_WECHAT_APP_SECRET",
        hide_env_values = true,
        help_heading = "WeChat Pay"
    )]
    pub wechat_app_secret: Option<Secret>,

    /// WeChat's web authorisation [default: https://open.weixin.qq.com].
    #[arg(
        long,
        env = "WENDAN_WECHAT_AUTHORIZE_URL",
        value_name = "URL",
        help_heading = "WeChat Pay"
    )]
    pub wechat_authorize_url: Option<String>,

    /// WeChat's API for exchanging the authorisation code [default: https://api.weixin.qq.com].
    #[arg(
        long,
        env = "WENDAN_WECHAT_SNS_URL",
        value_name = "URL",
        help_heading = "WeChat Pay"
    )]
    pub wechat_sns_url: Option<String>,

    /// Alipay application id. Alipay is enabled by its app id, app private
    /// key and Alipay public key.
    #[arg(long, env = "WENDAN_ALIPAY_APP_ID", help_heading = "Alipay")]
    pub alipay_app_id: Option<String>,

    /// The application's private key file (RSA2; PEM or Alipay's bare base64).
    #[arg(
        long,
        env = "WENDAN_ALIPAY_APP_PRIVATE_KEY",
        value_name = "FILE",
        help_heading = "Alipay"
    )]
    pub alipay_app_private_key: Option<PathBuf>,

    /// Alipay's public key file (支付宝公钥; PEM or bare base64).
    #[arg(
        long,
        env = "WENDAN_ALIPAY_PUBLIC_KEY",
        value_name = "FILE",
        help_heading = "Alipay"
    )]
    pub alipay_public_key: Option<PathBuf>,

    /// Alipay's gateway [default: https://openapi.alipay.com/gateway.do].
    #[arg(
        long,
        env = "WENDAN_ALIPAY_GATEWAY_URL",
        value_name = "URL",
        help_heading = "Alipay"
    )]
    pub alipay_gateway_url: Option<String>,

    /// Stripe secret key (`sk_live_…`, or a restricted `rk_…`). Stripe is
    /// enabled by its secret key and webhook secret.
    #[arg(
        long,
        env = "WENDAN_STRIPE_SECRET_KEY",
        hide_env_values = true,
        help_heading = "Stripe"
    )]
    pub stripe_secret_key: Option<Secret>,

    /// The webhook endpoint's signing secret (`whsec_…`).
    #[arg(
        long,
        env = "WENDAN_STRIPE_WEBHOOK_SECRET",
        hide_env_values = true,
        help_heading = "Stripe"
    )]
    pub stripe_webhook_secret: Option<Secret>,

    /// Stripe's API [default: https://api.stripe.com].
    #[arg(
        long,
        env = "WENDAN_STRIPE_BASE_URL",
        value_name = "URL",
        help_heading = "Stripe"
    )]
    pub stripe_base_url: Option<String>,
}
