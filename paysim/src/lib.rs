//! The payment sandbox: WeChat Pay, Alipay and Stripe as their documents
//! describe them (same paths, same signatures, with keys made for the
//! sandbox), a wallet page standing in for each provider's own payment step,
//! notifications on the providers' schedules scaled down in time, a ledger,
//! and faults on command. Like Stripe's `stripe-mock`: the merchant's
//! adapters run against it unchanged; only the base URL and keys differ.
//!
//! - [`wechat`], [`alipay`], [`stripe`]: one module per provider API.
//! - [`wechat_oauth`]: WeChat's web authorisation, for JSAPI's `openid`.
//! - [`wallet`]: the page where the diner taps "Pay", "Decline" or "Cancel".
//! - [`notifier`]: notifications, retried until the merchant acknowledges.
//! - [`faults`]: misbehaviour on command, drawn from a seeded random source.
//! - [`ledger`]: every payment, its captures and refunds (`GET /sandbox/ledger`).
//! - [`keys`]: the keys, made at start and written for the merchant's config.

pub mod alipay;
pub mod faults;
pub mod keys;
pub mod ledger;
pub mod notifier;
pub mod stripe;
pub mod wallet;
pub mod wechat;
pub mod wechat_oauth;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use time::OffsetDateTime;
use tokio::net::TcpListener;

use crate::faults::{Faults, FaultsRequest, NotificationFaults, roll};
pub use crate::keys::SandboxKeys;
use crate::ledger::Ledger;

/// What the sandbox pretends to be.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Seeds ids, nonces and fault draws.
    pub seed: u64,
    /// The providers' retry schedules are divided by this (WeChat's 15 s
    /// becomes 150 ms at 100).
    pub time_scale: u32,
    pub wechat_mchid: String,
    pub wechat_appid: String,
    /// The official account's AppSecret the code exchange must present.
    pub wechat_app_secret: String,
    pub alipay_app_id: String,
    /// Stripe posts events to one endpoint registered in its dashboard.
    pub stripe_webhook_url: Option<String>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            seed: 16,
            time_scale: 100,
            wechat_mchid: "1900000109".into(),
            wechat_appid: "wx8888888888888888".into(),
            wechat_app_secret: "sandbox-app-secret".into(),
            alipay_app_id: "2021000000000016".into(),
            stripe_webhook_url: None,
        }
    }
}

/// The sandbox's state, shared by every handler.
pub struct Sandbox {
    pub config: SandboxConfig,
    pub keys: SandboxKeys,
    /// Where diners reach the wallet pages (`http://127.0.0.1:PORT`).
    pub public_url: String,
    http: reqwest::Client,
    inner: Mutex<Inner>,
}

struct Inner {
    ledger: Ledger,
    faults: Faults,
    payment_faults: HashMap<String, Faults>,
    rng: StdRng,
    counter: u64,
    /// Stripe's `Idempotency-Key`s: the request body and the stored answer.
    idempotency: HashMap<String, (String, StatusCode, String)>,
    /// WeChat's web-authorisation codes: the `openid` each names, and
    /// whether it was exchanged (a code is single-use).
    oauth_codes: HashMap<String, (String, bool)>,
    /// Stripe's registered webhook endpoint: from the config, or registered
    /// later (`PUT /sandbox/stripe/webhook-endpoint`), as a merchant adds it
    /// in Stripe's dashboard once its server has an address.
    stripe_webhook_url: Option<String>,
}

/// A sandbox serving on a bound port.
pub struct Running {
    pub addr: SocketAddr,
    pub sandbox: Arc<Sandbox>,
    pub task: tokio::task::JoinHandle<()>,
}

impl Sandbox {
    pub fn new(config: SandboxConfig, keys: SandboxKeys, public_url: String) -> Arc<Self> {
        let rng = StdRng::seed_from_u64(config.seed);
        let stripe_webhook_url = config.stripe_webhook_url.clone();
        Arc::new(Sandbox {
            config,
            keys,
            public_url,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            inner: Mutex::new(Inner {
                ledger: Ledger::default(),
                faults: Faults::default(),
                payment_faults: HashMap::new(),
                rng,
                counter: 0,
                idempotency: HashMap::new(),
                oauth_codes: HashMap::new(),
                stripe_webhook_url,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking handler must not take the whole sandbox down with it.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the ledger under the lock.
    pub fn with_ledger<T>(&self, f: impl FnOnce(&mut Ledger) -> T) -> T {
        f(&mut self.lock().ledger)
    }

    /// The next number of the sandbox's id sequence.
    pub fn next_id(&self) -> u64 {
        let mut inner = self.lock();
        inner.counter += 1;
        inner.counter
    }

    /// A fresh nonce of `len` letters and digits.
    pub fn nonce(&self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut inner = self.lock();
        (0..len)
            .map(|_| char::from(ALPHABET[inner.rng.random_range(0..ALPHABET.len())]))
            .collect()
    }

    fn faults_for(&self, inner: &Inner, merchant_ref: &str) -> Faults {
        inner
            .payment_faults
            .get(merchant_ref)
            .unwrap_or(&inner.faults)
            .clone()
    }

    /// The fault decisions for one notification about `merchant_ref`.
    pub fn notification_faults(&self, merchant_ref: &str) -> NotificationFaults {
        let mut inner = self.lock();
        let faults = self.faults_for(&inner, merchant_ref);
        faults.draw_notification(&mut inner.rng)
    }

    /// A query misbehaving on command: hang, or answer 500.
    pub async fn query_fault(&self, merchant_ref: &str) -> Option<Response> {
        let (hang, error, hang_ms) = {
            let mut inner = self.lock();
            let faults = self.faults_for(&inner, merchant_ref);
            (
                roll(&mut inner.rng, faults.query_timeout),
                roll(&mut inner.rng, faults.query_error),
                faults.query_hang_ms.max(1),
            )
        };
        if hang {
            tokio::time::sleep(Duration::from_millis(hang_ms)).await;
        }
        error.then(|| {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(serde_json::json!({"code": "SYSTEM_ERROR", "message": "sandbox fault"})),
            )
                .into_response()
        })
    }

    /// Whether the redirect back after paying `merchant_ref` is dropped.
    pub fn drop_after_pay(&self, merchant_ref: &str) -> bool {
        let mut inner = self.lock();
        let faults = self.faults_for(&inner, merchant_ref);
        roll(&mut inner.rng, faults.drop_after_pay)
    }

    /// A Stripe idempotent request: the stored answer when the key was used
    /// with the same body, a conflict when with another, or `None` (new).
    pub fn idempotent_replay(&self, key: &str, body: &str) -> Option<(StatusCode, String)> {
        let inner = self.lock();
        inner.idempotency.get(key).map(|(seen_body, status, answer)| {
            if seen_body == body {
                (*status, answer.clone())
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    serde_json::json!({"error": {
                        "type": "idempotency_error",
                        "message": "Keys for idempotent requests can only be used with the same parameters they were first used with."
                    }})
                    .to_string(),
                )
            }
        })
    }

    pub fn remember_idempotent(&self, key: &str, body: &str, status: StatusCode, answer: &str) {
        self.lock()
            .idempotency
            .insert(key.to_owned(), (body.to_owned(), status, answer.to_owned()));
    }

    /// A single-use web-authorisation code naming `openid`.
    pub fn issue_oauth_code(&self, openid: &str) -> String {
        let code = self.nonce(32);
        self.lock()
            .oauth_codes
            .insert(code.clone(), (openid.to_owned(), false));
        code
    }

    /// The `openid` a code names, once.
    pub fn redeem_oauth_code(&self, code: &str) -> wechat_oauth::Redeemed {
        match self.lock().oauth_codes.get_mut(code) {
            Some((_, true)) => wechat_oauth::Redeemed::AlreadyUsed,
            Some((openid, used)) => {
                *used = true;
                wechat_oauth::Redeemed::Openid(openid.clone())
            }
            None => wechat_oauth::Redeemed::Unknown,
        }
    }

    /// Where Stripe's events go, if an endpoint is registered.
    pub fn stripe_webhook_url(&self) -> Option<String> {
        self.lock().stripe_webhook_url.clone()
    }

    /// Scales a provider's delay down.
    pub fn scaled(&self, seconds: u64) -> Duration {
        Duration::from_millis(seconds * 1000 / u64::from(self.config.time_scale.max(1)))
    }
}

/// Now, for timestamps in signatures and objects.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// The whole sandbox's router.
pub fn router(sandbox: Arc<Sandbox>) -> Router {
    Router::new()
        .merge(wechat::routes())
        .merge(wechat_oauth::routes())
        .merge(alipay::routes())
        .merge(stripe::routes())
        .merge(wallet::routes())
        .route("/sandbox/ledger", get(ledger))
        .route("/sandbox/faults", get(faults).post(set_faults))
        .route("/sandbox/faults/{merchant_ref}", post(set_payment_faults))
        .route(
            "/sandbox/stripe/webhook-endpoint",
            axum::routing::put(register_stripe_endpoint),
        )
        .with_state(sandbox)
}

async fn ledger(State(sandbox): State<Arc<Sandbox>>) -> Response {
    let json = sandbox.with_ledger(|ledger| serde_json::to_value(&*ledger));
    match json {
        Ok(json) => Json(json).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn faults(State(sandbox): State<Arc<Sandbox>>) -> Json<Faults> {
    Json(sandbox.lock().faults.clone())
}

async fn set_faults(
    State(sandbox): State<Arc<Sandbox>>,
    Json(request): Json<FaultsRequest>,
) -> StatusCode {
    let mut inner = sandbox.lock();
    if let Some(seed) = request.seed {
        inner.rng = StdRng::seed_from_u64(seed);
    }
    inner.faults = request.faults;
    StatusCode::NO_CONTENT
}

async fn set_payment_faults(
    State(sandbox): State<Arc<Sandbox>>,
    Path(merchant_ref): Path<String>,
    Json(faults): Json<Faults>,
) -> StatusCode {
    sandbox.lock().payment_faults.insert(merchant_ref, faults);
    StatusCode::NO_CONTENT
}

#[derive(serde::Deserialize)]
struct WebhookEndpoint {
    url: String,
}

/// Registers Stripe's webhook endpoint (Stripe's dashboard does this for a
/// real account): events of payments made from now on go there.
async fn register_stripe_endpoint(
    State(sandbox): State<Arc<Sandbox>>,
    Json(endpoint): Json<WebhookEndpoint>,
) -> StatusCode {
    if !(endpoint.url.starts_with("http://") || endpoint.url.starts_with("https://")) {
        return StatusCode::UNPROCESSABLE_ENTITY;
    }
    sandbox.lock().stripe_webhook_url = Some(endpoint.url);
    StatusCode::NO_CONTENT
}

/// Serves on `listener` (tests bind `127.0.0.1:0`).
pub async fn serve(
    listener: TcpListener,
    config: SandboxConfig,
    keys: SandboxKeys,
) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let sandbox = Sandbox::new(config, keys, format!("http://{addr}"));
    let app = router(sandbox.clone());
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "sandbox stopped");
        }
    });
    Ok(Running {
        addr,
        sandbox,
        task,
    })
}
