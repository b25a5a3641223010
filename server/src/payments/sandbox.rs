//! `--payment-sandbox DIR --payment-sandbox-url URL`: WeChat Pay, Alipay and
//! Stripe, all against a running payment sandbox (`wendan-paysim`), with the
//! merchant-side keys it wrote to its `--keys-dir`. The same adapters as with
//! real credentials: only the base URLs, ids and keys differ.

use std::path::Path;

use wendan_payments::wechat::auth::PlatformKeys;

use super::alipay::AlipayConfig;
use super::flags::Secret;
use super::setup::{
    OnlineConfigs, PaymentConfigError, api_v3_key_of, signing_key, stripe_config, verifying_key,
};
use super::wechat::WechatPayConfig;
use super::wechat_openid::WebAuthorisation;

/// The merchant the sandbox knows (its defaults; a test keeps them in step
/// with `wendan_paysim::SandboxConfig::default()`).
pub const WECHAT_MCHID: &str = "1900000109";
pub const WECHAT_APPID: &str = "wx8888888888888888";
pub const ALIPAY_APP_ID: &str = "2021000000000016";
/// The official account's AppSecret in the sandbox (not a secret: the
/// sandbox's web authorisation is a stand-in).
pub const WECHAT_APP_SECRET: &str = "sandbox-app-secret";

const FLAG: &str = "--payment-sandbox";

/// The settings of all three providers against the sandbox at `url`.
pub(super) fn configs(dir: &Path, url: &str) -> Result<OnlineConfigs, PaymentConfigError> {
    let text = |name: &str| -> Result<String, PaymentConfigError> {
        let path = dir.join(name);
        std::fs::read_to_string(&path)
            .map(|text| text.trim().to_owned())
            .map_err(|source| PaymentConfigError::KeyFile {
                flag: FLAG,
                path,
                source,
            })
    };
    let described = |name: &str| format!("{FLAG} {}", dir.join(name).display());
    let wechat = WechatPayConfig {
        mchid: WECHAT_MCHID.to_owned(),
        appid: WECHAT_APPID.to_owned(),
        // The sandbox's WeChat does not tell the two apps apart.
        miniprogram_appid: Some(WECHAT_APPID.to_owned()),
        merchant_key: signing_key(FLAG, &dir.join("wechat_merchant_key.pem"))?,
        merchant_serial: text("wechat_merchant_serial.txt")?,
        api_v3_key: api_v3_key_of(
            described("wechat_apiv3_key.txt"),
            &Secret::new(text("wechat_apiv3_key.txt")?),
        )?,
        platform: PlatformKeys::new().with(
            text("wechat_platform_serial.txt")?,
            verifying_key(FLAG, &dir.join("wechat_platform_public.pem"))?,
        ),
        base_url: url.to_owned(),
        web_authorisation: Some(WebAuthorisation {
            appid: WECHAT_APPID.to_owned(),
            app_secret: Secret::new(WECHAT_APP_SECRET),
            authorize_base: url.to_owned(),
            sns_base: url.to_owned(),
        }),
    };
    let alipay = AlipayConfig {
        app_id: ALIPAY_APP_ID.to_owned(),
        app_key: signing_key(FLAG, &dir.join("alipay_app_private_key.pem"))?,
        alipay_key: verifying_key(FLAG, &dir.join("alipay_public_key.pem"))?,
        gateway_url: format!("{url}/gateway.do"),
    };
    let stripe = stripe_config(
        (
            described("stripe_secret_key.txt"),
            Secret::new(text("stripe_secret_key.txt")?),
        ),
        (
            described("stripe_webhook_secret.txt"),
            Secret::new(text("stripe_webhook_secret.txt")?),
        ),
        url.to_owned(),
    )?;
    Ok(OnlineConfigs {
        wechat: Some(wechat),
        alipay: Some(alipay),
        stripe: Some(stripe),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_merchant_is_the_one_paysim_plays() {
        let sandbox = wendan_paysim::SandboxConfig::default();
        assert_eq!(WECHAT_MCHID, sandbox.wechat_mchid);
        assert_eq!(WECHAT_APPID, sandbox.wechat_appid);
        assert_eq!(ALIPAY_APP_ID, sandbox.alipay_app_id);
        assert_eq!(WECHAT_APP_SECRET, sandbox.wechat_app_secret);
    }
}
