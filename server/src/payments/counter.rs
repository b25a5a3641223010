//! Pay at the counter: cash or the restaurant's card terminal. No provider is
//! called; staff take the money and settle the payment
//! ([`wendan_payments::Payment::settle_at_counter`]), so staff are its only
//! source of truth and there is nothing to query, close or be notified of.
//! Always available, whatever else a restaurant enabled.

use async_trait::async_trait;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use time::{Duration, OffsetDateTime};
use wendan_payments::Observation;

use super::error::{NotificationError, ProviderError};
use super::provider::{
    Attempt, CaptureRefund, Channel, Created, Handoff, PaymentProvider, ProviderId,
};

const ID: ProviderId = ProviderId::Counter;

#[derive(Debug, Clone, Copy, Default)]
pub struct Counter;

#[async_trait]
impl PaymentProvider for Counter {
    fn id(&self) -> ProviderId {
        ID
    }

    /// Nothing expires: there is no provider payment, only the bill.
    fn attempt_lifetime(&self) -> Duration {
        Duration::ZERO
    }

    async fn create(
        &self,
        attempt: &Attempt,
        _now: OffsetDateTime,
    ) -> Result<Created, ProviderError> {
        match attempt.channel {
            Channel::Counter => Ok(Created {
                handoff: Handoff::Counter,
                handle: None,
            }),
            _ => Err(ProviderError::foreign_channel(ID)),
        }
    }

    async fn query(
        &self,
        _attempt: &Attempt,
        _now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError> {
        Ok(None)
    }

    async fn close(
        &self,
        _attempt: &Attempt,
        _now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError> {
        Ok(None)
    }

    /// Staff hand the money back ([`wendan_payments::Payment::refund`] of a
    /// counter payment is final at once); nothing to ask anyone.
    async fn refund(
        &self,
        _refund: &CaptureRefund,
        _now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError> {
        Err(ProviderError::Unsupported {
            provider: ID,
            what: "refund a provider capture",
        })
    }

    fn verify_notification(
        &self,
        _headers: &HeaderMap,
        _body: &[u8],
        _now: OffsetDateTime,
    ) -> Result<Option<Observation>, NotificationError> {
        Err(NotificationError::NotExpected { provider: ID })
    }

    fn acknowledgement(&self) -> Response {
        StatusCode::NOT_FOUND.into_response()
    }

    fn rejection(&self) -> Response {
        StatusCode::NOT_FOUND.into_response()
    }
}
