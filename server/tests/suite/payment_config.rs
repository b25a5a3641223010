//! The payment flags, read and checked at start: each provider is enabled
//! exactly by its credentials, the sandbox stands in for all three, and
//! anything wrong (half a provider, a key file missing or not a key,
//! `pay-first` with nobody to pay, the sandbox beside real credentials)
//! refuses to start, saying what and where.

use std::path::Path;

use clap::{CommandFactory, Parser};
use tokio::net::TcpListener;
use wendan_server::Config;
use wendan_server::payments::{
    Channel, PaymentConfigError, PaymentMode, PaymentProviders, ProviderId,
};

use crate::paysim_harness::{keys_dir, test_keys};

fn config(args: &[&str]) -> Config {
    let mut all = vec![
        "wendan-server",
        "--demo",
        "--public-url",
        "https://order.example",
    ];
    all.extend_from_slice(args);
    Config::try_parse_from(all).expect("flags parse")
}

fn providers(args: &[&str]) -> Result<PaymentProviders, PaymentConfigError> {
    let config = config(args);
    config.payments.providers(&config.public_url())
}

fn refusal(args: &[&str]) -> String {
    match providers(args) {
        Ok(enabled) => panic!("{args:?} started with {enabled:?}"),
        Err(error) => error.to_string(),
    }
}

fn file(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

/// Real-looking credentials (the sandbox's test keys) for each provider.
struct Credentials {
    dir: tempfile::TempDir,
}

impl Credentials {
    fn new() -> Self {
        Credentials {
            dir: keys_dir(&test_keys()),
        }
    }

    fn wechat(&self) -> Vec<String> {
        let dir = self.dir.path();
        [
            "--wechat-mchid=1230000109",
            "--wechat-appid=wxd678efh567hg6787",
            "--wechat-merchant-serial=5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            "--wechat-apiv3-key=abcdefghijklmnopqrstuvwxyz012345",
            "--wechat-platform-serial=PUB_KEY_ID_0112340000000000000000000000",
        ]
        .map(str::to_owned)
        .into_iter()
        .chain([
            format!(
                "--wechat-merchant-key={}",
                file(dir, "wechat_merchant_key.pem")
            ),
            format!(
                "--wechat-platform-key={}",
                file(dir, "wechat_platform_public.pem")
            ),
        ])
        .collect()
    }

    fn alipay(&self) -> Vec<String> {
        let dir = self.dir.path();
        vec![
            "--alipay-app-id=2021000000000099".to_owned(),
            format!(
                "--alipay-app-private-key={}",
                file(dir, "alipay_app_private_key.pem")
            ),
            format!("--alipay-public-key={}", file(dir, "alipay_public_key.pem")),
        ]
    }

    fn stripe(&self) -> Vec<String> {
        vec![
            "--stripe-secret-key=sk_live_51Example".to_owned(),
            "--stripe-webhook-secret=whsec_example".to_owned(),
        ]
    }
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn without_payment_flags_diners_pay_later_and_only_the_counter_is_enabled() {
    let enabled = providers(&[]).unwrap();
    assert_eq!(enabled.mode(), PaymentMode::PayLater);
    assert_eq!(enabled.enabled(), [ProviderId::Counter]);
    assert!(!enabled.is_sandbox());
}

#[test]
fn each_provider_is_enabled_exactly_by_its_credentials() {
    let credentials = Credentials::new();
    let cases = [
        (credentials.wechat(), vec![ProviderId::Wechat]),
        (credentials.alipay(), vec![ProviderId::Alipay]),
        (credentials.stripe(), vec![ProviderId::Stripe]),
        (
            [credentials.stripe(), credentials.wechat()].concat(),
            vec![ProviderId::Wechat, ProviderId::Stripe],
        ),
        (
            [
                credentials.wechat(),
                credentials.alipay(),
                credentials.stripe(),
            ]
            .concat(),
            vec![ProviderId::Wechat, ProviderId::Alipay, ProviderId::Stripe],
        ),
    ];
    for (args, online) in cases {
        let mut args = strs(&args);
        args.extend(["--payment", "pay-first"]);
        let enabled = providers(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        let mut expected = online.clone();
        expected.push(ProviderId::Counter);
        assert_eq!(enabled.enabled(), expected, "{args:?}");
        assert_eq!(enabled.mode(), PaymentMode::PayFirst);
        assert!(!enabled.is_sandbox());
        assert!(enabled.for_channel(&Channel::Counter).is_some());
    }
    // The mini-program hand-over is offered only with the mini-program's appid.
    let mini = Channel::WechatMiniProgram {
        openid: "o-mini".into(),
    };
    let wechat = credentials.wechat();
    assert!(
        providers(&strs(&wechat))
            .unwrap()
            .for_channel(&mini)
            .is_none()
    );
    let mut with_mini = strs(&wechat);
    with_mini.push("--wechat-miniprogram-appid=wx1234567890abcdef");
    let enabled = providers(&with_mini).unwrap();
    assert_eq!(enabled.for_channel(&mini).unwrap().id(), ProviderId::Wechat);
    assert!(enabled.for_channel(&Channel::AlipayWap).is_none());
}

#[test]
fn a_half_configured_provider_refuses_to_start_naming_what_is_missing() {
    let credentials = Credentials::new();
    let mut wechat = credentials.wechat();
    wechat.retain(|arg| {
        !arg.starts_with("--wechat-apiv3-key") && !arg.starts_with("--wechat-platform-key")
    });
    let message = refusal(&strs(&wechat));
    assert!(
        message.starts_with("WeChat Pay is half configured"),
        "{message}"
    );
    assert!(message.contains("missing"), "{message}");
    assert!(
        message.ends_with("--wechat-apiv3-key, --wechat-platform-key missing"),
        "{message}"
    );
    // A base URL alone is half a provider too.
    let message = refusal(&["--stripe-base-url", "https://stripe.internal"]);
    assert_eq!(
        message,
        "Stripe is half configured: --stripe-base-url given, but --stripe-secret-key, --stripe-webhook-secret missing"
    );
    let mut alipay = credentials.alipay();
    alipay.pop();
    assert!(refusal(&strs(&alipay)).contains("--alipay-public-key missing"));
}

#[test]
fn a_key_file_missing_or_not_a_key_refuses_to_start_naming_the_file() {
    let credentials = Credentials::new();
    let missing = credentials.dir.path().join("nowhere.pem");
    let mut alipay = credentials.alipay();
    alipay[1] = format!("--alipay-app-private-key={}", missing.display());
    let message = refusal(&strs(&alipay));
    assert!(
        message.starts_with(&format!(
            "--alipay-app-private-key {}: cannot read it",
            missing.display()
        )),
        "{message}"
    );

    // A public key where the private key belongs, and garbage.
    let garbage = credentials.dir.path().join("garbage.pem");
    std::fs::write(
        &garbage,
        "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    for (file, flag) in [
        (
            file(credentials.dir.path(), "alipay_public_key.pem"),
            "--alipay-app-private-key",
        ),
        (garbage.display().to_string(), "--alipay-app-private-key"),
    ] {
        let mut alipay = credentials.alipay();
        alipay[1] = format!("{flag}={file}");
        let message = refusal(&strs(&alipay));
        assert_eq!(
            message,
            format!("{flag} {file}: not an RSA private key in PKCS#8 or PKCS#1 PEM, or base64 DER")
        );
    }
    let mut wechat = credentials.wechat();
    let platform = file(credentials.dir.path(), "wechat_merchant_serial.txt");
    wechat.retain(|arg| !arg.starts_with("--wechat-platform-key"));
    wechat.push(format!("--wechat-platform-key={platform}"));
    assert!(refusal(&strs(&wechat)).starts_with(&format!(
        "--wechat-platform-key {platform}: not an RSA public key"
    )));
}

#[test]
fn secrets_of_the_wrong_shape_refuse_to_start() {
    let credentials = Credentials::new();
    let mut wechat = credentials.wechat();
    wechat.retain(|arg| !arg.starts_with("--wechat-apiv3-key"));
    wechat.push("--wechat-apiv3-key=too-short".into());
    assert_eq!(
        refusal(&strs(&wechat)),
        "--wechat-apiv3-key: the APIv3 key is the 32 characters set in WeChat Pay's merchant platform, not 9"
    );
    assert_eq!(
        refusal(&[
            "--stripe-secret-key=pk_live_123",
            "--stripe-webhook-secret=whsec_1"
        ]),
        "--stripe-secret-key: a Stripe secret key starts with sk_ (or rk_ for a restricted key)"
    );
    assert!(
        refusal(&[
            "--stripe-secret-key=sk_live_1",
            "--stripe-webhook-secret=we_1"
        ])
        .contains("whsec_")
    );
    let mut stripe = credentials.stripe();
    stripe.push("--stripe-base-url=api.stripe.com".into());
    assert_eq!(
        refusal(&strs(&stripe)),
        "--stripe-base-url \"api.stripe.com\" is not an http:// or https:// URL"
    );
}

#[tokio::test]
async fn pay_first_or_either_with_no_online_provider_refuses_to_start() {
    for mode in ["pay-first", "either"] {
        let message = refusal(&["--payment", mode]);
        assert!(
            message.starts_with(&format!("--payment {mode} has diners pay online before cooking, but no online provider is configured")),
            "{message}"
        );
    }
    // The server itself refuses, before it serves anything.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let started =
        wendan_server::serve(config(&["--payment", "pay-first"]), listener, async {}).await;
    let error = format!("{:#}", started.unwrap_err());
    assert!(
        error.contains("cannot set up payments: --payment pay-first"),
        "{error}"
    );
}

#[test]
fn the_sandbox_configures_every_provider_and_never_beside_real_credentials() {
    let credentials = Credentials::new();
    let dir = credentials.dir.path().display().to_string();
    let sandbox = [
        "--payment-sandbox",
        dir.as_str(),
        "--payment-sandbox-url",
        "http://127.0.0.1:8090",
    ];
    let enabled = providers(&sandbox).unwrap();
    assert!(enabled.is_sandbox());
    assert_eq!(
        enabled.enabled(),
        [
            ProviderId::Wechat,
            ProviderId::Alipay,
            ProviderId::Stripe,
            ProviderId::Counter
        ]
    );
    let mut with_stripe = sandbox.to_vec();
    with_stripe.extend(["--stripe-secret-key", "sk_live_1"]);
    assert_eq!(
        refusal(&with_stripe),
        "--payment-sandbox configures every provider against the sandbox, so real credentials cannot come with it (--stripe-secret-key given)"
    );
    assert_eq!(
        refusal(&sandbox[..2]),
        "--payment-sandbox needs --payment-sandbox-url too"
    );
    // A sandbox directory the sandbox never wrote.
    let empty = tempfile::tempdir().unwrap();
    let empty_dir = empty.path().display().to_string();
    let message = refusal(&[
        "--payment-sandbox",
        &empty_dir,
        "--payment-sandbox-url",
        "http://127.0.0.1:8090",
    ]);
    assert!(message.starts_with("--payment-sandbox "), "{message}");
    assert!(
        message.contains("wechat_merchant_key.pem: cannot read it"),
        "{message}"
    );
}

#[test]
fn secrets_never_show_in_debug_output_or_help() {
    let credentials = Credentials::new();
    let args = [credentials.wechat(), credentials.stripe()].concat();
    let shown = format!("{:?}", config(&strs(&args)));
    for secret in [
        "abcdefghijklmnopqrstuvwxyz012345",
        "sk_live_51Example",
        "whsec_example",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked into {shown}");
    }
    let command = Config::command();
    for id in [
        "wechat_apiv3_key",
        "stripe_secret_key",
        "stripe_webhook_secret",
    ] {
        let arg = command
            .get_arguments()
            .find(|arg| arg.get_id() == id)
            .unwrap();
        assert!(arg.is_hide_env_values_set(), "{id}");
    }
}
