//! From flags to providers, at start: every key file is read and checked
//! (an error names the flag, the file and why), every combination is
//! checked, and anything wrong refuses to start, in words, rather than
//! failing on the first diner's payment.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use wendan_payments::rsa_sha256::{KeyError, SigningKey, VerifyingKey};
use wendan_payments::wechat::auth::PlatformKeys;
use wendan_payments::wechat::notification::ApiV3Key;
use wendan_payments::{alipay, stripe, wechat};

use super::alipay::{Alipay, AlipayConfig};
use super::flags::{PaymentFlags, PaymentMode, Secret};
use super::http::{ProviderHttp, Timeouts};
use super::paths::PublicUrls;
use super::provider::{PaymentProvider, ProviderId};
use super::registry::PaymentProviders;
use super::sandbox;
use super::stripe::{Stripe, StripeConfig};
use super::wechat::{WechatPay, WechatPayConfig};
use super::wechat_openid::{OpenidExchange, WebAuthorisation};

/// Why the server refuses to start with these payment flags.
#[derive(Debug, thiserror::Error)]
pub enum PaymentConfigError {
    #[error("{provider} is half configured: {given} given, but {missing} missing")]
    Incomplete {
        provider: ProviderId,
        given: String,
        missing: String,
    },
    #[error(
        "--payment-sandbox configures every provider against the sandbox, so real credentials cannot come with it ({0} given)"
    )]
    SandboxWithCredentials(String),
    #[error("{given} needs {missing} too")]
    SandboxHalfGiven {
        given: &'static str,
        missing: &'static str,
    },
    #[error("{flag} {}: cannot read it: {source}", path.display())]
    KeyFile {
        flag: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{flag} {}: {source}", path.display())]
    BadKey {
        flag: &'static str,
        path: PathBuf,
        #[source]
        source: KeyError,
    },
    #[error(
        "{flag}: the APIv3 key is the 32 characters set in WeChat Pay's merchant platform, not {length}"
    )]
    ApiV3Key { flag: String, length: usize },
    #[error("{flag}: a Stripe {what} starts with {expected}")]
    StripeKey {
        flag: String,
        what: &'static str,
        expected: &'static str,
    },
    #[error("{flag} {url:?} is not an http:// or https:// URL")]
    Url { flag: &'static str, url: String },
    #[error(
        "--payment {mode} has diners pay online before cooking, but no online provider is configured: give the credentials of WeChat Pay, Alipay or Stripe (or --payment-sandbox), or use --payment pay-later"
    )]
    NoOnlineProvider { mode: PaymentMode },
    #[error("cannot make the HTTPS client for the payment providers: {0}")]
    Http(#[source] reqwest::Error),
}

/// The online providers' settings, however they were given.
#[derive(Debug, Default)]
pub(super) struct OnlineConfigs {
    pub wechat: Option<WechatPayConfig>,
    pub alipay: Option<AlipayConfig>,
    pub stripe: Option<StripeConfig>,
}

/// One credential flag: which provider, its name, whether it was given, and
/// whether the provider needs it (the others have defaults or are optional).
struct Credential {
    provider: ProviderId,
    flag: &'static str,
    given: bool,
    required: bool,
}

impl PaymentFlags {
    /// The providers these flags enable (pay at the counter always is), with
    /// every key read and checked. The notify and return URLs are under
    /// `public_url`.
    pub fn providers(&self, public_url: &str) -> Result<PaymentProviders, PaymentConfigError> {
        let sandboxed = self.sandbox()?;
        let configs = match &sandboxed {
            Some((dir, url)) => sandbox::configs(dir, url)?,
            None => OnlineConfigs {
                wechat: self.wechat()?,
                alipay: self.alipay()?,
                stripe: self.stripe()?,
            },
        };
        let (online, openid_exchange) =
            if configs.wechat.is_none() && configs.alipay.is_none() && configs.stripe.is_none() {
                (Vec::new(), None)
            } else {
                let timeouts =
                    Timeouts::new(std::time::Duration::from_secs(self.payment_timeout_secs));
                let http = ProviderHttp::new(timeouts).map_err(PaymentConfigError::Http)?;
                build(configs, &http, &PublicUrls::new(public_url))
            };
        let window = self
            .payment_window_seconds
            .map(|seconds| time::Duration::seconds(seconds.try_into().unwrap_or(i64::MAX)));
        PaymentProviders::new(self.mode, sandboxed.is_some(), online).map(|providers| {
            providers
                .with_window(window)
                .with_openid_exchange(openid_exchange)
        })
    }

    /// Every credential flag, given or not: one table for both checks.
    fn credentials(&self) -> Vec<Credential> {
        let entry = |provider, flag, given, required| Credential {
            provider,
            flag,
            given,
            required,
        };
        use ProviderId::{Alipay, Stripe, Wechat};
        vec![
            entry(Wechat, "--wechat-mchid", self.wechat_mchid.is_some(), true),
            entry(Wechat, "--wechat-appid", self.wechat_appid.is_some(), true),
            entry(
                Wechat,
                "--wechat-miniprogram-appid",
                self.wechat_miniprogram_appid.is_some(),
                false,
            ),
            entry(
                Wechat,
                "--wechat-merchant-key",
                self.wechat_merchant_key.is_some(),
                true,
            ),
            entry(
                Wechat,
                "--wechat-merchant-serial",
                self.wechat_merchant_serial.is_some(),
                true,
            ),
            entry(
                Wechat,
                "--wechat-apiv3-key",
                self.wechat_apiv3_key.is_some(),
                true,
            ),
            entry(
                Wechat,
                "--wechat-platform-key",
                self.wechat_platform_key.is_some(),
                true,
            ),
            entry(
                Wechat,
                "--wechat-platform-serial",
                self.wechat_platform_serial.is_some(),
                true,
            ),
            entry(
                Wechat,
                "--wechat-base-url",
                self.wechat_base_url.is_some(),
                false,
            ),
            entry(
                Wechat,
                "--wechat-app-secret",
                self.wechat_app_secret.is_some(),
                false,
            ),
            entry(
                Wechat,
                "--wechat-authorize-url",
                self.wechat_authorize_url.is_some(),
                false,
            ),
            entry(
                Wechat,
                "--wechat-sns-url",
                self.wechat_sns_url.is_some(),
                false,
            ),
            entry(
                Alipay,
                "--alipay-app-id",
                self.alipay_app_id.is_some(),
                true,
            ),
            entry(
                Alipay,
                "--alipay-app-private-key",
                self.alipay_app_private_key.is_some(),
                true,
            ),
            entry(
                Alipay,
                "--alipay-public-key",
                self.alipay_public_key.is_some(),
                true,
            ),
            entry(
                Alipay,
                "--alipay-gateway-url",
                self.alipay_gateway_url.is_some(),
                false,
            ),
            entry(
                Stripe,
                "--stripe-secret-key",
                self.stripe_secret_key.is_some(),
                true,
            ),
            entry(
                Stripe,
                "--stripe-webhook-secret",
                self.stripe_webhook_secret.is_some(),
                true,
            ),
            entry(
                Stripe,
                "--stripe-base-url",
                self.stripe_base_url.is_some(),
                false,
            ),
        ]
    }

    /// The sandbox's directory and URL, when asked for and alone.
    fn sandbox(&self) -> Result<Option<(PathBuf, String)>, PaymentConfigError> {
        match (&self.payment_sandbox, &self.payment_sandbox_url) {
            (None, None) => Ok(None),
            (Some(dir), Some(url)) => {
                let given: Vec<_> = self
                    .credentials()
                    .into_iter()
                    .filter(|c| c.given)
                    .map(|c| c.flag)
                    .collect();
                if !given.is_empty() {
                    return Err(PaymentConfigError::SandboxWithCredentials(given.join(", ")));
                }
                Ok(Some((
                    dir.clone(),
                    checked_url("--payment-sandbox-url", url)?,
                )))
            }
            (Some(_), None) => Err(PaymentConfigError::SandboxHalfGiven {
                given: "--payment-sandbox",
                missing: "--payment-sandbox-url",
            }),
            (None, Some(_)) => Err(PaymentConfigError::SandboxHalfGiven {
                given: "--payment-sandbox-url",
                missing: "--payment-sandbox",
            }),
        }
    }

    /// Whether `provider` was left out entirely; an error when only some of
    /// its credentials were given.
    fn absent(&self, provider: ProviderId) -> Result<bool, PaymentConfigError> {
        let credentials: Vec<_> = self
            .credentials()
            .into_iter()
            .filter(|c| c.provider == provider)
            .collect();
        let names = |keep: &dyn Fn(&Credential) -> bool| {
            credentials
                .iter()
                .filter(|c| keep(c))
                .map(|c| c.flag)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let given = names(&|c| c.given);
        let missing = names(&|c| c.required && !c.given);
        match (given.is_empty(), missing.is_empty()) {
            (true, _) => Ok(true),
            (false, true) => Ok(false),
            (false, false) => Err(PaymentConfigError::Incomplete {
                provider,
                given,
                missing,
            }),
        }
    }

    fn wechat(&self) -> Result<Option<WechatPayConfig>, PaymentConfigError> {
        if self.absent(ProviderId::Wechat)? {
            return Ok(None);
        }
        let (
            Some(mchid),
            Some(appid),
            Some(merchant_key),
            Some(merchant_serial),
            Some(api_v3_key),
            Some(platform_key),
            Some(platform_serial),
        ) = (
            &self.wechat_mchid,
            &self.wechat_appid,
            &self.wechat_merchant_key,
            &self.wechat_merchant_serial,
            &self.wechat_apiv3_key,
            &self.wechat_platform_key,
            &self.wechat_platform_serial,
        )
        else {
            return Ok(None);
        };
        Ok(Some(WechatPayConfig {
            mchid: mchid.clone(),
            appid: appid.clone(),
            miniprogram_appid: self.wechat_miniprogram_appid.clone(),
            merchant_key: signing_key("--wechat-merchant-key", merchant_key)?,
            merchant_serial: merchant_serial.clone(),
            api_v3_key: api_v3_key_of("--wechat-apiv3-key", api_v3_key)?,
            platform: PlatformKeys::new().with(
                platform_serial.clone(),
                verifying_key("--wechat-platform-key", platform_key)?,
            ),
            base_url: checked_url(
                "--wechat-base-url",
                self.wechat_base_url.as_deref().unwrap_or(wechat::API_BASE),
            )?,
            web_authorisation: self.web_authorisation(appid)?,
        }))
    }

    /// JSAPI's `openid` exchange, when the AppSecret is given.
    fn web_authorisation(
        &self,
        appid: &str,
    ) -> Result<Option<WebAuthorisation>, PaymentConfigError> {
        let Some(app_secret) = &self.wechat_app_secret else {
            return Ok(None);
        };
        Ok(Some(WebAuthorisation {
            appid: appid.to_owned(),
            app_secret: app_secret.clone(),
            authorize_base: checked_url(
                "--wechat-authorize-url",
                self.wechat_authorize_url
                    .as_deref()
                    .unwrap_or(wechat::oauth::AUTHORIZE_BASE),
            )?,
            sns_base: checked_url(
                "--wechat-sns-url",
                self.wechat_sns_url
                    .as_deref()
                    .unwrap_or(wechat::oauth::SNS_BASE),
            )?,
        }))
    }

    fn alipay(&self) -> Result<Option<AlipayConfig>, PaymentConfigError> {
        if self.absent(ProviderId::Alipay)? {
            return Ok(None);
        }
        let (Some(app_id), Some(app_key), Some(alipay_key)) = (
            &self.alipay_app_id,
            &self.alipay_app_private_key,
            &self.alipay_public_key,
        ) else {
            return Ok(None);
        };
        Ok(Some(AlipayConfig {
            app_id: app_id.clone(),
            app_key: signing_key("--alipay-app-private-key", app_key)?,
            alipay_key: verifying_key("--alipay-public-key", alipay_key)?,
            gateway_url: checked_url(
                "--alipay-gateway-url",
                self.alipay_gateway_url
                    .as_deref()
                    .unwrap_or(alipay::GATEWAY),
            )?,
        }))
    }

    fn stripe(&self) -> Result<Option<StripeConfig>, PaymentConfigError> {
        if self.absent(ProviderId::Stripe)? {
            return Ok(None);
        }
        let (Some(secret_key), Some(webhook_secret)) =
            (&self.stripe_secret_key, &self.stripe_webhook_secret)
        else {
            return Ok(None);
        };
        stripe_config(
            ("--stripe-secret-key".to_owned(), secret_key.clone()),
            ("--stripe-webhook-secret".to_owned(), webhook_secret.clone()),
            checked_url(
                "--stripe-base-url",
                self.stripe_base_url.as_deref().unwrap_or(stripe::API_BASE),
            )?,
        )
        .map(Some)
    }
}

/// The adapters of the configured providers, sharing one HTTP client.
/// With WeChat's AppSecret, the `openid` exchange for JSAPI too.
fn build(
    configs: OnlineConfigs,
    http: &ProviderHttp,
    urls: &PublicUrls,
) -> (Vec<Arc<dyn PaymentProvider>>, Option<Arc<OpenidExchange>>) {
    let mut online: Vec<Arc<dyn PaymentProvider>> = Vec::new();
    let mut openid_exchange = None;
    if let Some(mut config) = configs.wechat {
        openid_exchange = config.web_authorisation.take().map(|authorisation| {
            Arc::new(OpenidExchange::new(
                authorisation,
                http.clone(),
                urls.clone(),
            ))
        });
        online.push(Arc::new(WechatPay::new(config, http.clone(), urls.clone())));
    }
    if let Some(config) = configs.alipay {
        online.push(Arc::new(Alipay::new(config, http.clone(), urls.clone())));
    }
    if let Some(config) = configs.stripe {
        online.push(Arc::new(Stripe::new(config, http.clone(), urls.clone())));
    }
    (online, openid_exchange)
}

fn read_key_file(flag: &'static str, path: &Path) -> Result<String, PaymentConfigError> {
    std::fs::read_to_string(path).map_err(|source| PaymentConfigError::KeyFile {
        flag,
        path: path.to_owned(),
        source,
    })
}

pub(super) fn signing_key(
    flag: &'static str,
    path: &Path,
) -> Result<SigningKey, PaymentConfigError> {
    SigningKey::from_pem(&read_key_file(flag, path)?).map_err(|source| PaymentConfigError::BadKey {
        flag,
        path: path.to_owned(),
        source,
    })
}

pub(super) fn verifying_key(
    flag: &'static str,
    path: &Path,
) -> Result<VerifyingKey, PaymentConfigError> {
    VerifyingKey::from_pem(&read_key_file(flag, path)?).map_err(|source| {
        PaymentConfigError::BadKey {
            flag,
            path: path.to_owned(),
            source,
        }
    })
}

/// The APIv3 key; `flag` says where it came from.
pub(super) fn api_v3_key_of(
    flag: impl Into<String>,
    key: &Secret,
) -> Result<ApiV3Key, PaymentConfigError> {
    ApiV3Key::new(key.expose()).map_err(|_| PaymentConfigError::ApiV3Key {
        flag: flag.into(),
        length: key.expose().chars().count(),
    })
}

/// Stripe's settings, with each secret checked for its prefix (a publishable
/// `pk_…` key given by mistake is refused at start, not at the first payment).
pub(super) fn stripe_config(
    (key_flag, secret_key): (String, Secret),
    (webhook_flag, webhook_secret): (String, Secret),
    base_url: String,
) -> Result<StripeConfig, PaymentConfigError> {
    let key = secret_key.expose();
    if !(key.starts_with("sk_") || key.starts_with("rk_")) {
        return Err(PaymentConfigError::StripeKey {
            flag: key_flag,
            what: "secret key",
            expected: "sk_ (or rk_ for a restricted key)",
        });
    }
    if !webhook_secret.expose().starts_with("whsec_") {
        return Err(PaymentConfigError::StripeKey {
            flag: webhook_flag,
            what: "webhook signing secret",
            expected: "whsec_",
        });
    }
    Ok(StripeConfig {
        secret_key,
        webhook_secret,
        base_url,
    })
}

/// `url` without a trailing slash, if it is http(s).
pub(super) fn checked_url(flag: &'static str, url: &str) -> Result<String, PaymentConfigError> {
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => {
            Ok(url.trim_end_matches('/').to_owned())
        }
        _ => Err(PaymentConfigError::Url {
            flag,
            url: url.to_owned(),
        }),
    }
}
