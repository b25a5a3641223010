//! The payment sandbox in-process for the adapter tests: `wendan-paysim` on
//! a random port with the fixed test keys, the server's providers configured
//! against it through the real flags (`--payment-sandbox`), and a tiny
//! receiver standing in for the notify routes: it verifies every
//! notification with the adapter's `verify_notification` and answers with
//! its `acknowledgement` or `rejection`, as the real routes will.
#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use clap::Parser;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use uuid::Uuid;
use wendan_payments::{Amount, Observation, Payment};
use wendan_paysim::{Running, SandboxConfig, SandboxKeys, serve};
use wendan_server::Config;
use wendan_server::payments::paths::{STRIPE_WEBHOOK_PATH, notify_path};
use wendan_server::payments::{
    Attempt, Channel, NotificationError, PaymentProvider, PaymentProviders, ProviderId,
};

/// The paysim test keys (fixed, so no RSA key is generated).
pub fn test_keys() -> SandboxKeys {
    SandboxKeys::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../paysim/tests/keys"))
        .expect("paysim's test keys")
}

/// A keys directory as `wendan-paysim --keys-dir` writes it (with the public
/// halves a merchant's server reads).
pub fn keys_dir(keys: &SandboxKeys) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    keys.write(dir.path()).expect("write the sandbox keys");
    dir
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// The sandbox on a random port, its Stripe webhook pointed at the server
/// reached at `public_url` (WeChat Pay and Alipay are told with each payment).
pub async fn start_sandbox(public_url: &str, keys: SandboxKeys) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    serve(
        listener,
        SandboxConfig {
            stripe_webhook_url: Some(format!("{public_url}{STRIPE_WEBHOOK_PATH}")),
            ..SandboxConfig::default()
        },
        keys,
    )
    .await
    .expect("the sandbox starts")
}

/// The diner taps `tap` (`pay`, `decline`, `cancel`) on the wallet page at
/// `wallet` (a URL under `sandbox_base` or a path; its query ignored);
/// returns the status and where the page sends the diner.
pub async fn tap_wallet(
    http: &reqwest::Client,
    sandbox_base: &str,
    wallet: &str,
    tap: &str,
    redirect_url: Option<&str>,
) -> (u16, Option<String>) {
    let path = wallet.trim_start_matches(sandbox_base);
    let path = path.split('?').next().unwrap_or(path);
    let form: Vec<(&str, &str)> = redirect_url
        .map(|url| ("redirect_url", url))
        .into_iter()
        .collect();
    let response = http
        .post(format!("{sandbox_base}{path}/{tap}"))
        .form(&form)
        .send()
        .await
        .expect("the wallet answers");
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (response.status().as_u16(), location)
}

/// What one notification came to at the receiver.
#[derive(Debug, Clone)]
pub enum Verdict {
    Verified(Option<Observation>),
    Unverified(String),
    Unreadable(String),
}

#[derive(Debug, Clone)]
pub struct Received {
    pub provider: ProviderId,
    pub verdict: Verdict,
}

impl Received {
    /// The verified observation (panics otherwise: the test expected one).
    pub fn observation(&self) -> Observation {
        match &self.verdict {
            Verdict::Verified(Some(observation)) => observation.clone(),
            other => panic!("expected a verified observation, got {other:?}"),
        }
    }
}

#[derive(Clone)]
struct Receiver {
    providers: Arc<PaymentProviders>,
    inbox: Arc<Mutex<Vec<Received>>>,
}

async fn notified(
    receiver: Receiver,
    provider: ProviderId,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(adapter) = receiver.providers.get(provider) else {
        panic!("{provider} is not enabled");
    };
    let verified = adapter.verify_notification(&headers, &body, now());
    let answer = match verified {
        Ok(_) => adapter.acknowledgement(),
        Err(_) => adapter.rejection(),
    };
    let verdict = match verified {
        Ok(observation) => Verdict::Verified(observation),
        Err(e @ NotificationError::Unverified { .. }) => Verdict::Unverified(e.to_string()),
        Err(e) => Verdict::Unreadable(e.to_string()),
    };
    receiver
        .inbox
        .lock()
        .expect("inbox")
        .push(Received { provider, verdict });
    answer
}

pub struct Harness {
    pub sandbox: Running,
    pub keys: SandboxKeys,
    /// Kept for the life of the test: the providers read their keys from it.
    pub keys_dir: tempfile::TempDir,
    pub providers: Arc<PaymentProviders>,
    /// The server's `--public-url`: the receiver.
    pub public_url: String,
    inbox: Arc<Mutex<Vec<Received>>>,
    pub http: reqwest::Client,
}

impl Harness {
    pub async fn start() -> Harness {
        let keys = test_keys();
        let keys_dir = keys_dir(&keys);
        let receiver_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let public_url = format!(
            "http://{}",
            receiver_listener.local_addr().expect("address")
        );
        let sandbox = start_sandbox(&public_url, keys.clone()).await;
        let sandbox_url = format!("http://{}", sandbox.addr);
        let config = Config::try_parse_from([
            "wendan-server",
            "--demo",
            "--payment",
            "pay-first",
            "--payment-sandbox",
            &keys_dir.path().display().to_string(),
            "--payment-sandbox-url",
            &sandbox_url,
            "--public-url",
            &public_url,
            "--payment-timeout-secs",
            "1",
        ])
        .expect("valid flags");
        let providers = Arc::new(
            config
                .payments
                .providers(&config.public_url())
                .expect("the sandbox configures every provider"),
        );
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let receiver = Receiver {
            providers: Arc::clone(&providers),
            inbox: Arc::clone(&inbox),
        };
        let mut app = Router::new();
        for provider in [ProviderId::Wechat, ProviderId::Alipay, ProviderId::Stripe] {
            let receiver = receiver.clone();
            let path = notify_path(provider).expect("a notify path");
            app = app.route(
                path,
                post(move |headers: HeaderMap, body: Bytes| {
                    notified(receiver.clone(), provider, headers, body)
                }),
            );
        }
        tokio::spawn(async move { axum::serve(receiver_listener, app).await });
        Harness {
            sandbox,
            keys,
            keys_dir,
            providers,
            public_url,
            inbox,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(5))
                .build()
                .expect("client"),
        }
    }

    pub fn provider(&self, id: ProviderId) -> Arc<dyn PaymentProvider> {
        Arc::clone(self.providers.get(id).expect("enabled"))
    }

    /// "Pay" on a new order: the payment as stored (pending) and its first attempt.
    pub fn begin(
        &self,
        amount: Amount,
        channel: Channel,
    ) -> (Payment, Attempt, Arc<dyn PaymentProvider>) {
        let provider = Arc::clone(
            self.providers
                .for_channel(&channel)
                .expect("a provider for the channel"),
        );
        let (pending, begin) = Payment::new(Uuid::new_v4(), amount.clone())
            .begin()
            .expect("a new order can be paid");
        let attempt = Attempt::new(
            begin.merchant_ref(),
            amount,
            "Wendan order 42",
            channel,
            provider.attempt_lifetime(),
            now(),
        );
        (pending, attempt, provider)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.sandbox.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().expect("inbox").clone()
    }

    /// Waits until `count` notifications arrived (or 3 s passed).
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let received = self.received();
            if received.len() >= count || Instant::now() >= deadline {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The diner taps `tap` (`pay`, `decline`, `cancel`) on the wallet page
    /// at `wallet` (a URL or path, query ignored); returns the status and
    /// where the page sends the diner.
    pub async fn tap(
        &self,
        wallet: &str,
        tap: &str,
        redirect_url: Option<&str>,
    ) -> (u16, Option<String>) {
        tap_wallet(&self.http, &self.url(""), wallet, tap, redirect_url).await
    }

    /// Follows a redirect hand-off as the diner's browser would (one hop);
    /// returns where it leads.
    pub async fn open(&self, url: &str) -> Option<String> {
        let response = self.http.get(url).send().await.expect("the page answers");
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "{url}: {}",
            response.status()
        );
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The sandbox's ledger: every provider payment, capture, refund, notification.
    pub async fn ledger(&self) -> serde_json::Value {
        self.http
            .get(self.url("/sandbox/ledger"))
            .send()
            .await
            .expect("ledger")
            .json()
            .await
            .expect("ledger JSON")
    }

    /// The ledger's entry for our number.
    pub async fn ledger_entry(&self, attempt: &Attempt) -> serde_json::Value {
        let reference = attempt.merchant_ref.to_string();
        self.ledger().await["payments"]
            .as_array()
            .expect("payments")
            .iter()
            .find(|p| p["merchant_ref"] == reference)
            .cloned()
            .unwrap_or(serde_json::Value::Null)
    }

    /// Misbehaviour on command for one payment.
    pub async fn faults(&self, attempt: &Attempt, faults: serde_json::Value) {
        let status = self
            .http
            .post(self.url(&format!("/sandbox/faults/{}", attempt.merchant_ref)))
            .json(&faults)
            .send()
            .await
            .expect("faults")
            .status();
        assert_eq!(status, 204);
    }
}
