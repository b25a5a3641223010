//! The one trait every payment provider sits behind, and what goes in and
//! out of it. The adapters are thin: the protocols are `wendan-payments`'
//! codecs; what an adapter adds is HTTP, the clock, nonces and the mapping of
//! each provider's answers to one [`Observation`] shape.

use async_trait::async_trait;
use axum::http::HeaderMap;
use axum::response::Response;
use time::{Duration, OffsetDateTime};
pub use wendan_payments::wire::{Channel, Handoff, ProviderId, UnknownProvider};
use wendan_payments::{
    Amount, Capture, MerchantRef, Observation, Payment, ProviderOutcome, Source,
};

use super::error::{NotificationError, ProviderError};

/// One provider attempt as the server keeps it (`payment_attempts`), written
/// before the provider is called. Everything a create sends comes from here,
/// so a resume (another tab, the service worker, a retry after silence) sends
/// the very same request and the provider answers with the very same payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// `out_trade_no` / Stripe's idempotency key, from the order and attempt.
    pub merchant_ref: MerchantRef,
    /// The order's total.
    pub amount: Amount,
    /// The line the diner sees on the provider's page.
    pub description: String,
    /// After this nobody can pay it (`time_expire`, Stripe's `expires_at`).
    pub expires_at: OffsetDateTime,
    pub channel: Channel,
    /// The provider's own handle once an answer named it ([`Created::handle`]):
    /// Stripe needs its Checkout Session id to ask about it.
    pub handle: Option<String>,
}

impl Attempt {
    /// The attempt "Pay" starts for `merchant_ref`, payable for the
    /// provider's [`PaymentProvider::attempt_lifetime`] from `now`.
    pub fn new(
        merchant_ref: MerchantRef,
        amount: Amount,
        description: impl Into<String>,
        channel: Channel,
        lifetime: Duration,
        now: OffsetDateTime,
    ) -> Self {
        Attempt {
            merchant_ref,
            amount,
            description: description.into(),
            // Whole seconds: every provider's time format drops the rest, and
            // a stored instant must give the same request when read back.
            expires_at: (now + lifetime)
                .replace_nanosecond(0)
                .unwrap_or(now + lifetime),
            channel,
            handle: None,
        }
    }

    /// What the provider says when it has never heard of this number (a WAP
    /// trade the diner has not opened, a create that never arrived).
    pub(crate) fn unknown_to_provider(&self, source: Source) -> Observation {
        self.says(source, ProviderOutcome::NotPaid)
    }

    /// A close of a number the provider never heard of. Before `expires_at`
    /// a create may still arrive, so it settles nothing; after it, nothing
    /// can ever pay it (the create carried `expires_at`), so it is closed.
    pub(crate) fn closed_if_expired(&self, now: OffsetDateTime) -> Option<Observation> {
        (now >= self.expires_at).then(|| self.says(Source::CloseAnswer, ProviderOutcome::Closed))
    }

    pub(crate) fn says(&self, source: Source, outcome: ProviderOutcome) -> Observation {
        Observation {
            source,
            merchant_ref: self.merchant_ref,
            outcome,
            amount: None,
            transaction_id: None,
        }
    }
}

/// What a create answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub handoff: Handoff,
    /// Store it in [`Attempt::handle`] (Stripe's session id, WeChat's
    /// `prepay_id` or `h5_url`); `None` where the provider names nothing yet
    /// (Alipay creates the trade when the diner opens the cashier).
    pub handle: Option<String>,
}

/// A capture to give back, under the refund number of the attempt that took
/// the money (so asking again never refunds twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureRefund {
    /// The attempt that captured.
    pub trade: MerchantRef,
    /// The provider's reference of the capture (Stripe needs its PaymentIntent).
    pub transaction_id: String,
    pub amount: Amount,
    /// Why, for the provider's records (the diner may see it).
    pub reason: String,
}

impl CaptureRefund {
    /// The refund of a paid order's capture (the kitchen cancelled it), or
    /// `None` when nothing was captured by a provider (the counter hands cash back).
    pub fn of_payment(payment: &Payment, reason: &str) -> Option<Self> {
        match &payment.capture {
            Some(Capture::Provider {
                attempt,
                transaction_id,
            }) => Some(CaptureRefund {
                trade: MerchantRef::trade(payment.order_id, *attempt).ok()?,
                transaction_id: transaction_id.clone(),
                amount: payment.expected.clone(),
                reason: reason.to_owned(),
            }),
            _ => None,
        }
    }

    /// The refund of a second capture for an order already paid
    /// ([`wendan_payments::Refusal::CapturedTwice`]): the observation of it
    /// names the attempt, the reference and the amount.
    pub fn of_second_capture(observation: &Observation, reason: &str) -> Option<Self> {
        Some(CaptureRefund {
            trade: observation.merchant_ref,
            transaction_id: observation.transaction_id.clone()?,
            amount: observation.amount.clone()?,
            reason: reason.to_owned(),
        })
    }
}

/// A payment provider. One implementation per provider (`wechat`, `alipay`,
/// `stripe`, `counter`), each over its codec; the registry holds the ones a
/// restaurant enabled.
///
/// Every answer is an [`Observation`] (or `None`: nothing to change) that
/// the server puts through [`Payment::observe`]; every failure is a
/// [`ProviderError`] whose [`ProviderError::outcome_unknown`] says whether
/// the provider may have done it anyway. `now` is the server's clock: request
/// signatures, timestamps and answer freshness use it.
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    fn id(&self) -> ProviderId;

    /// How long an attempt stays payable ([`Attempt::new`]), unless the
    /// restaurant set a shorter window (`--payment-window-seconds`).
    fn attempt_lifetime(&self) -> Duration;

    /// The shortest payable time the provider accepts (Stripe Checkout:
    /// 30 minutes; WeChat Pay and Alipay: a minute).
    fn shortest_lifetime(&self) -> Duration {
        Duration::minutes(1)
    }

    /// Whether this provider, as configured, takes payments on `channel`
    /// (what the widget may offer the diner).
    fn accepts(&self, channel: &Channel) -> bool {
        channel.provider() == self.id()
    }

    /// Creates the provider payment of `attempt`, or creates it again: the
    /// same attempt gives the same request, which the provider answers with
    /// the same payment (WeChat: the same `prepay_id`; Stripe: the same
    /// session, by idempotency key; Alipay: the same trade). So a resume is a
    /// create, and a create after [`ProviderError::outcome_unknown`] is safe
    /// *for the same attempt*; a new attempt is never started until the old
    /// one is known to be closed.
    async fn create(
        &self,
        attempt: &Attempt,
        now: OffsetDateTime,
    ) -> Result<Created, ProviderError>;

    /// Asks about `attempt` (after silence, on the diner's return, in
    /// reconciliation). A number the provider never heard of reads `NotPaid`.
    async fn query(
        &self,
        attempt: &Attempt,
        now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError>;

    /// Closes `attempt` (关单, Stripe's expire) so it can never be paid. If it
    /// was paid after all, says so (the answer of a query). `None`: nothing
    /// settled yet (the provider never heard of it and it has not expired).
    async fn close(
        &self,
        attempt: &Attempt,
        now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError>;

    /// Refunds a capture under its own refund number; asking again with the
    /// same capture refunds nothing more. `None`: the provider has not
    /// finished (a notification or a query will say).
    async fn refund(
        &self,
        refund: &CaptureRefund,
        now: OffsetDateTime,
    ) -> Result<Option<Observation>, ProviderError>;

    /// Verifies a notification (its headers and the raw body, never
    /// re-serialised) and reads it; `None` for news that moves nothing.
    /// Nothing in a notification that fails is used.
    fn verify_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<Observation>, NotificationError>;

    /// The answer that tells the provider a notification was handled (WeChat
    /// 204, Alipay exactly `success`, Stripe 200); it stops resending.
    fn acknowledgement(&self) -> Response;

    /// The answer that makes the provider send the notification again later
    /// (it did not verify, or the server could not record it).
    fn rejection(&self) -> Response;
}
