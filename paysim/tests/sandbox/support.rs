//! The harness: a sandbox on a random port, a merchant-side receiver that
//! verifies every notification with the `wendan-payments` codecs, and
//! clients that sign requests with those same codecs.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use wendan_payments::alipay::notification as alipay_notification;
use wendan_payments::stripe::webhook::Event;
use wendan_payments::wechat::auth::{MerchantSigner, PlatformKeys, WechatpayHeaders};
use wendan_payments::wechat::notification::{ApiV3Key, Notification, verify_and_decrypt};
use wendan_payments::{Observation, Source};
use wendan_paysim::{Running, SandboxConfig, SandboxKeys, serve};

pub fn keys() -> SandboxKeys {
    SandboxKeys::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys"))
        .expect("the test keys")
}

/// What the merchant's notify endpoint received, after verification.
#[derive(Debug, Clone)]
pub struct Received {
    pub provider: &'static str,
    pub at: Instant,
    /// The verified observation (`None`: an event that moves nothing), or why
    /// verification failed.
    pub verified: Result<Option<Observation>, String>,
}

/// The merchant's side: notify endpoints for all three providers.
#[derive(Clone)]
pub struct Receiver {
    inbox: Arc<Mutex<Vec<Received>>>,
    /// Answer this many more notifications with a failure.
    pub refuse_next: Arc<AtomicU32>,
    /// What the Alipay endpoint answers (the sandbox wants exactly `success`).
    pub alipay_answer: Arc<Mutex<String>>,
    keys: Arc<SandboxKeys>,
    config: SandboxConfig,
}

impl Receiver {
    fn push(&self, provider: &'static str, verified: Result<Option<Observation>, String>) -> bool {
        let ok = verified.is_ok();
        self.inbox.lock().unwrap().push(Received {
            provider,
            at: Instant::now(),
            verified,
        });
        let refused = self
            .refuse_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        ok && !refused
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    /// Waits until at least `count` notifications arrived (or `within` passed).
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if received.len() >= count || Instant::now() >= deadline {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn wechat_notify(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let platform = PlatformKeys::new().with(
        receiver.keys.wechat_platform_serial.clone(),
        receiver.keys.wechat_platform.verifying_key(),
    );
    let verified = (|| {
        let key = ApiV3Key::new(&receiver.keys.wechat_api_v3_key).map_err(|e| e.to_string())?;
        let signed =
            WechatpayHeaders::from_headers(|name| headers.get(name).and_then(|v| v.to_str().ok()))
                .map_err(|e| e.to_string())?;
        match verify_and_decrypt(&signed, &body, &platform, &key, OffsetDateTime::now_utc())
            .map_err(|e| e.to_string())?
        {
            Notification::Transaction { transaction, .. } => transaction
                .observation(Source::Notification)
                .map(Some)
                .map_err(|e| e.to_string()),
            Notification::Refund { refund, .. } => refund
                .observation(Source::Notification)
                .map_err(|e| e.to_string()),
        }
    })();
    if receiver.push("wechat", verified) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (
            StatusCode::UNAUTHORIZED,
            axum::Json(serde_json::json!({"code": "FAIL", "message": "refused"})),
        )
            .into_response()
    }
}

async fn alipay_notify(State(receiver): State<Receiver>, body: Bytes) -> Response {
    let verified = alipay_notification::verify(
        &body,
        &receiver.config.alipay_app_id,
        &receiver.keys.alipay.verifying_key(),
    )
    .and_then(|n| n.observation())
    .map(Some)
    .map_err(|e| e.to_string());
    if receiver.push("alipay", verified) {
        receiver
            .alipay_answer
            .lock()
            .unwrap()
            .clone()
            .into_response()
    } else {
        "fail".into_response()
    }
}

async fn stripe_webhook(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = headers
        .get("Stripe-Signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let verified = Event::verified(
        &body,
        header,
        &receiver.keys.stripe_webhook_secret,
        OffsetDateTime::now_utc(),
    )
    .and_then(|event| event.observation())
    .map_err(|e| e.to_string());
    if receiver.push("stripe", verified) {
        StatusCode::OK.into_response()
    } else {
        StatusCode::BAD_REQUEST.into_response()
    }
}

pub struct Harness {
    pub sandbox: Running,
    pub receiver: Receiver,
    pub receiver_url: String,
    pub http: reqwest::Client,
    pub keys: SandboxKeys,
}

impl Harness {
    pub async fn start() -> Harness {
        let keys = keys();
        let receiver_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let receiver_url = format!("http://{}", receiver_listener.local_addr().unwrap());
        let config = SandboxConfig {
            stripe_webhook_url: Some(format!("{receiver_url}/stripe/webhook")),
            ..SandboxConfig::default()
        };
        let receiver = Receiver {
            inbox: Arc::default(),
            refuse_next: Arc::default(),
            alipay_answer: Arc::new(Mutex::new("success".into())),
            keys: Arc::new(keys.clone()),
            config: config.clone(),
        };
        let app = Router::new()
            .route("/wechat/notify", post(wechat_notify))
            .route("/alipay/notify", post(alipay_notify))
            .route("/stripe/webhook", post(stripe_webhook))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(receiver_listener, app).await });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sandbox = serve(listener, config, keys.clone()).await.unwrap();
        Harness {
            sandbox,
            receiver,
            receiver_url,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap(),
            keys,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.sandbox.addr)
    }

    pub fn wechat_signer(&self) -> MerchantSigner {
        MerchantSigner::new(
            self.sandbox.sandbox.config.wechat_mchid.clone(),
            self.keys.wechat_merchant_serial.clone(),
            self.keys.wechat_merchant.clone(),
        )
    }

    /// Sets faults for every payment.
    pub async fn faults(&self, faults: serde_json::Value) {
        let status = self
            .http
            .post(self.url("/sandbox/faults"))
            .json(&faults)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 204);
    }

    /// The diner taps in the wallet; returns the status and where it sent them.
    pub async fn tap(
        &self,
        wallet_path: &str,
        tap: &str,
        redirect_url: Option<&str>,
    ) -> (u16, Option<String>) {
        let path = wallet_path.split('?').next().unwrap();
        let form: Vec<(&str, &str)> = redirect_url
            .map(|url| ("redirect_url", url))
            .into_iter()
            .collect();
        let response = self
            .http
            .post(self.url(&format!("{path}/{tap}")))
            .form(&form)
            .send()
            .await
            .unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        (response.status().as_u16(), location)
    }

    pub async fn ledger(&self) -> serde_json::Value {
        self.http
            .get(self.url("/sandbox/ledger"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// Seconds since the epoch, for the codecs' `now`.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}
