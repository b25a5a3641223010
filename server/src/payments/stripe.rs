//! Stripe Checkout over the `wendan_payments::stripe` codec: a hosted page
//! the diner is redirected to and back from, so no card data ever touches the
//! widget (the Payment Element would put Stripe's iframe inside it). Every
//! create carries the attempt's `Idempotency-Key`, which Stripe keeps 24 h:
//! the same attempt gets the same session, and a create whose answer was lost
//! can be sent again to learn which session it made.

use async_trait::async_trait;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use time::{Duration, OffsetDateTime};
use wendan_payments::stripe::StripeError;
use wendan_payments::stripe::checkout::{
    CheckoutSession, NewSession, SESSIONS_PATH, expire_path, session_path,
};
use wendan_payments::stripe::payment_intent::{REFUNDS_PATH, Refund, refund_request};
use wendan_payments::stripe::webhook::{Event, HEADER};
use wendan_payments::{Observation, Source};

use super::error::{CodecError, NotificationError, ProviderError};
use super::flags::Secret;
use super::http::{Answer, ProviderHttp};
use super::paths::PublicUrls;
use super::provider::{
    Attempt, CaptureRefund, Channel, Created, Handoff, PaymentProvider, ProviderId,
};

const ID: ProviderId = ProviderId::Stripe;

/// What a restaurant configures for Stripe (see `PaymentFlags`).
#[derive(Debug, Clone)]
pub struct StripeConfig {
    /// `sk_live_…` (or `sk_test_…`).
    pub secret_key: Secret,
    /// The webhook endpoint's signing secret, `whsec_…`.
    pub webhook_secret: Secret,
    /// `https://api.stripe.com`, or the sandbox.
    pub base_url: String,
}

pub struct Stripe {
    config: StripeConfig,
    http: ProviderHttp,
    urls: PublicUrls,
}

/// Stripe's error answer: `{"error": {"type", "code", "message"}}`.
#[derive(Debug, Default, Deserialize)]
struct ErrorAnswer {
    #[serde(default)]
    error: ErrorBody,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: String,
}

impl Stripe {
    pub fn new(config: StripeConfig, http: ProviderHttp, urls: PublicUrls) -> Self {
        Stripe { config, http, urls }
    }

    /// One authenticated call; a non-2xx answer is [`ProviderError::Failed`].
    async fn call(
        &self,
        method: Method,
        path: &str,
        form: Option<(String, Option<String>)>,
    ) -> Result<Answer, ProviderError> {
        let url = format!("{}{path}", self.config.base_url.trim_end_matches('/'));
        let mut request = self
            .http
            .request(method, &url)
            .bearer_auth(self.config.secret_key.expose());
        if let Some((body, idempotency_key)) = form {
            request = request
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body);
            if let Some(key) = idempotency_key {
                request = request.header("Idempotency-Key", key);
            }
        }
        let answer = self.http.send(ID, request).await?;
        if answer.status.is_success() {
            Ok(answer)
        } else {
            Err(failed(&answer))
        }
    }

    /// The create request of `attempt`: the same attempt, the same body and key.
    fn session_request(
        &self,
        attempt: &Attempt,
    ) -> Result<wendan_payments::stripe::checkout::CreateRequest, ProviderError> {
        let return_url = self.urls.return_url(attempt.merchant_ref.order_id());
        NewSession {
            merchant_ref: attempt.merchant_ref,
            amount: &attempt.amount,
            name: &attempt.description,
            success_url: &return_url,
            cancel_url: &return_url,
            expires_at: attempt.expires_at,
        }
        .request()
        .map_err(|e| ProviderError::not_sent(ID)(e.into()))
    }

    /// Creates (or, for the same attempt, finds again) the attempt's session.
    async fn create_session(&self, attempt: &Attempt) -> Result<CheckoutSession, ProviderError> {
        let request = self.session_request(attempt)?;
        let answer = self
            .call(
                Method::POST,
                SESSIONS_PATH,
                Some((request.body, Some(request.idempotency_key))),
            )
            .await?;
        read(&answer)
    }

    /// The attempt's session id: stored, or learned by sending the same
    /// create again (Stripe answers a repeated key with the first answer).
    /// `None`: Stripe refused it, so no session exists under this key.
    async fn session_id(&self, attempt: &Attempt) -> Result<Option<String>, ProviderError> {
        if let Some(id) = &attempt.handle {
            return Ok(Some(id.clone()));
        }
        match self.create_session(attempt).await {
            Ok(session) => Ok(Some(session.id)),
            Err(e @ ProviderError::Failed { .. }) if !e.outcome_unknown() => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn session(&self, id: &str) -> Result<CheckoutSession, ProviderError> {
        let answer = self.call(Method::GET, &session_path(id), None).await?;
        read(&answer)
    }
}

fn read<T: DeserializeOwned>(answer: &Answer) -> Result<T, ProviderError> {
    serde_json::from_slice(&answer.body).map_err(|e| ProviderError::unreadable(ID)(e.into()))
}

fn observed(
    session: &CheckoutSession,
    source: Source,
) -> Result<Option<Observation>, ProviderError> {
    session
        .observation(source)
        .map(Some)
        .map_err(|e| ProviderError::unreadable(ID)(e.into()))
}

/// A non-2xx answer. Stripe's advice decides whether its outcome is unknown:
/// 5xx, 429, 409 (the same key in flight) and `Stripe-Should-Retry: true`.
fn failed(answer: &Answer) -> ProviderError {
    let error: ErrorAnswer = serde_json::from_slice(&answer.body).unwrap_or_default();
    let status = answer.status;
    let retry = answer.header("Stripe-Should-Retry") == Some("true");
    ProviderError::Failed {
        provider: ID,
        status: status.as_u16(),
        code: error.error.code.unwrap_or(error.error.kind),
        message: if error.error.message.is_empty() {
            answer.text()
        } else {
            error.error.message
        },
        provider_trouble: retry
            || status.is_server_error()
            || status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::CONFLICT,
    }
}

#[async_trait]
impl PaymentProvider for Stripe {
    fn id(&self) -> ProviderId {
        ID
    }

    /// Stripe refuses a session that expires sooner than 30 minutes after it
    /// is created; an hour leaves room for a create sent again after silence.
    fn attempt_lifetime(&self) -> Duration {
        Duration::hours(1)
    }

    fn shortest_lifetime(&self) -> Duration {
        Duration::minutes(30)
    }

    async fn create(
        &self,
        attempt: &Attempt,
        _now: OffsetDateTime,
    ) -> Result<Created, ProviderError> {
        if attempt.channel != Channel::StripeCheckout {
            return Err(ProviderError::foreign_channel(ID));
        }
        let session = self.create_session(attempt).await?;
        let url = session.url.clone().ok_or_else(|| {
            ProviderError::unreadable(ID)(CodecError::Other(format!(
                "session {} has no URL to send the diner to",
                session.id
            )))
        })?;
        Ok(Created {
            handoff: Handoff::Redirect { url },
            handle: Some(session.id),
        })
    }

    async fn query(
        &self,
        attempt: &Attempt,
        _now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError> {
        match self.session_id(attempt).await? {
            Some(id) => observed(&self.session(&id).await?, Source::Query),
            None => Ok(Some(attempt.unknown_to_provider(Source::Query))),
        }
    }

    async fn close(
        &self,
        attempt: &Attempt,
        now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError> {
        let Some(id) = self.session_id(attempt).await? else {
            return Ok(attempt.closed_if_expired(now));
        };
        match self.call(Method::POST, &expire_path(&id), None).await {
            Ok(answer) => observed(&read(&answer)?, Source::CloseAnswer),
            // Only an open session expires: it completed after all, so say how.
            Err(e @ ProviderError::Failed { .. }) if !e.outcome_unknown() => {
                observed(&self.session(&id).await?, Source::Query)
            }
            Err(e) => Err(e),
        }
    }

    async fn refund(
        &self,
        refund: &CaptureRefund,
        _now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError> {
        let request = refund_request(&refund.trade, &refund.transaction_id, &refund.amount)
            .map_err(|e| ProviderError::not_sent(ID)(e.into()))?;
        let answer = self
            .call(
                Method::POST,
                REFUNDS_PATH,
                Some((request.body, Some(request.idempotency_key))),
            )
            .await?;
        read::<Refund>(&answer)?
            .observation(Source::RefundAnswer)
            .map_err(|e| ProviderError::unreadable(ID)(e.into()))
    }

    fn verify_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<Observation>, NotificationError> {
        let unverified = |source: StripeError| NotificationError::Unverified {
            provider: ID,
            source: source.into(),
        };
        let header = headers
            .get(HEADER)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| unverified(StripeError::InvalidHeader))?;
        let event = Event::verified(body, header, self.config.webhook_secret.expose(), now)
            .map_err(|e| match e {
                StripeError::Json(_) => NotificationError::Unreadable {
                    provider: ID,
                    source: CodecError::from(e),
                },
                other => unverified(other),
            })?;
        match event.observation() {
            Ok(observation) => Ok(observation),
            // Not a Wendan payment (another integration on the same account,
            // or a charge, which does not carry our metadata: the refund's
            // own event does).
            Err(StripeError::MissingMerchantRef(_)) => {
                tracing::debug!(event = %event.id, kind = %event.kind, "Stripe event without our number");
                Ok(None)
            }
            Err(source) => Err(NotificationError::Unreadable {
                provider: ID,
                source: source.into(),
            }),
        }
    }

    /// Any 2xx; Stripe resends for up to three days otherwise.
    fn acknowledgement(&self) -> Response {
        StatusCode::OK.into_response()
    }

    fn rejection(&self) -> Response {
        StatusCode::BAD_REQUEST.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&'static str, &'static str)], body: &str) -> Answer {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: body.to_owned().into(),
        }
    }

    #[test]
    fn stripes_retry_advice_decides_whether_the_outcome_is_unknown() {
        let declined = failed(&answer(
            402,
            &[],
            r#"{"error":{"type":"card_error","code":"card_declined","message":"Your card was declined."}}"#,
        ));
        assert!(!declined.outcome_unknown());
        assert_eq!(declined.code(), Some("card_declined"));
        let reused = failed(&answer(
            400,
            &[],
            r#"{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters"}}"#,
        ));
        assert_eq!(reused.code(), Some("idempotency_error"));
        assert!(!reused.outcome_unknown());
        for trouble in [
            answer(500, &[], r#"{"error":{"type":"api_error"}}"#),
            answer(429, &[], r#"{"error":{"type":"rate_limit_error"}}"#),
            answer(409, &[], r#"{"error":{"type":"idempotency_error"}}"#),
            answer(400, &[("Stripe-Should-Retry", "true")], "{}"),
        ] {
            assert!(failed(&trouble).outcome_unknown(), "{trouble:?}");
        }
    }
}
