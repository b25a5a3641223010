//! The HTTP client every adapter shares: rustls with the webpki roots (no
//! system OpenSSL or CA bundle needed), bounded time, no redirects (a
//! provider API that redirects is not the provider), and every failure typed
//! as [`ProviderError`].

use std::time::Duration;

use axum::http::{HeaderMap, Method, StatusCode};
use bytes::Bytes;

use super::error::ProviderError;
use super::provider::ProviderId;

/// How long a call may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To open the connection (TCP and TLS).
    pub connect: Duration,
    /// The whole call, answer included. A diner may be waiting on it.
    pub request: Duration,
}

impl Timeouts {
    /// `request` for the whole call; the connection gets at most 5 s of it.
    pub fn new(request: Duration) -> Self {
        Timeouts {
            connect: request.min(Duration::from_secs(5)),
            request,
        }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts::new(Duration::from_secs(10))
    }
}

/// A provider's answer, read whole.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// A header as text (`None` when absent or not visible ASCII).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The body as text, lossily (for error messages).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Cheap to clone: one connection pool for all adapters.
#[derive(Debug, Clone)]
pub struct ProviderHttp {
    client: reqwest::Client,
}

impl ProviderHttp {
    pub fn new(timeouts: Timeouts) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .redirect(reqwest::redirect::Policy::none())
            // WeChat Pay v3 refuses requests without a User-Agent.
            .user_agent(concat!("wendan-server/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(ProviderHttp { client })
    }

    pub fn request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    /// Sends `request` and reads the whole answer, whatever its status. A
    /// failure before the answer is complete is [`ProviderError::NotReached`]:
    /// the provider may have acted on it.
    pub async fn send(
        &self,
        provider: ProviderId,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, ProviderError> {
        let not_reached = |source| ProviderError::NotReached { provider, source };
        let response = request.send().await.map_err(not_reached)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(not_reached)?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}
