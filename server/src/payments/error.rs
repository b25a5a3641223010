//! How a call to a provider fails, typed by what it tells about the
//! provider's state, because that decides what the server may do next:
//!
//! - [`ProviderError::NotReached`]: no (complete) answer. The request may
//!   have reached the provider and taken effect there.
//! - [`ProviderError::Failed`]: the provider answered that it did not do it;
//!   when the trouble was its own (5xx, `SYSTEM_ERROR`, a rate limit) it may
//!   still have.
//! - [`ProviderError::Unreadable`]: an answer came but cannot be trusted or
//!   read; the provider may have done it.
//!
//! Whenever [`ProviderError::outcome_unknown`] is true the payment stays
//! where it is (`Pending` stays pending) and the next step is a query, never a
//! create under a new number: that is how a diner is never charged twice.

use wendan_payments::alipay::AlipayError;
use wendan_payments::stripe::StripeError;
use wendan_payments::wechat::WechatError;

use super::provider::ProviderId;

/// A codec's own error, whichever provider's.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error(transparent)]
    Wechat(#[from] WechatError),
    #[error(transparent)]
    Alipay(#[from] AlipayError),
    #[error(transparent)]
    Stripe(#[from] StripeError),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Other(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// No answer, or an answer cut off: connection refused or reset, DNS,
    /// TLS, timeout. The provider may have done it.
    #[error("{provider} did not answer: {source}")]
    NotReached {
        provider: ProviderId,
        #[source]
        source: reqwest::Error,
    },
    /// The provider answered with an error. `provider_trouble`: it was the
    /// provider's own (5xx, `SYSTEM_ERROR`, a rate limit), so what it did is
    /// unknown; otherwise it refused and did nothing.
    #[error("{provider} answered {status} {code}: {message}")]
    Failed {
        provider: ProviderId,
        status: u16,
        code: String,
        message: String,
        provider_trouble: bool,
    },
    /// An answer came but its signature does not verify or it cannot be read.
    #[error("{provider}'s answer cannot be trusted or read: {source}")]
    Unreadable {
        provider: ProviderId,
        #[source]
        source: CodecError,
    },
    /// Nothing was sent: the request could not be made (a key that cannot
    /// sign, a value the protocol cannot carry).
    #[error("cannot prepare the request to {provider}: {source}")]
    NotSent {
        provider: ProviderId,
        #[source]
        source: CodecError,
    },
    /// Nothing was sent: this provider does not do that, or is not set up
    /// for it (a mini-program payment without the mini-program's appid).
    #[error("{provider} cannot {what}")]
    Unsupported {
        provider: ProviderId,
        what: &'static str,
    },
}

impl ProviderError {
    pub fn provider(&self) -> ProviderId {
        match self {
            ProviderError::NotReached { provider, .. }
            | ProviderError::Failed { provider, .. }
            | ProviderError::Unreadable { provider, .. }
            | ProviderError::NotSent { provider, .. }
            | ProviderError::Unsupported { provider, .. } => *provider,
        }
    }

    /// The provider may have done it: the state is unknown until a query
    /// says. Keep the payment pending; query; never start another attempt.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ProviderError::NotReached { .. } | ProviderError::Unreadable { .. } => true,
            ProviderError::Failed {
                provider_trouble, ..
            } => *provider_trouble,
            ProviderError::NotSent { .. } | ProviderError::Unsupported { .. } => false,
        }
    }

    /// The provider's error code, when it answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ProviderError::Failed { code, .. } => Some(code),
            _ => None,
        }
    }

    /// An attempt on a channel `provider` does not serve (the registry
    /// routes by channel, so this is a caller's mistake).
    pub(crate) fn foreign_channel(provider: ProviderId) -> Self {
        ProviderError::Unsupported {
            provider,
            what: "take another provider's channel",
        }
    }

    pub(crate) fn unreadable(provider: ProviderId) -> impl Fn(CodecError) -> Self {
        move |source| ProviderError::Unreadable { provider, source }
    }

    pub(crate) fn not_sent(provider: ProviderId) -> impl Fn(CodecError) -> Self {
        move |source| ProviderError::NotSent { provider, source }
    }
}

/// Why a notification was not accepted. The server answers it with the
/// provider's [`super::PaymentProvider::rejection`] (so a real one is sent
/// again) and logs it: nothing in it is used.
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    /// Its signature, timestamp or encryption does not hold: forged, replayed
    /// past the tolerance, or meant for another merchant.
    #[error("{provider} notification did not verify: {source}")]
    Unverified {
        provider: ProviderId,
        #[source]
        source: CodecError,
    },
    /// It verified, but says something that cannot be read (an unknown
    /// state, a number that is not ours).
    #[error("{provider} notification verified but cannot be read: {source}")]
    Unreadable {
        provider: ProviderId,
        #[source]
        source: CodecError,
    },
    /// This provider sends no notifications (the counter).
    #[error("{provider} sends no notifications")]
    NotExpected { provider: ProviderId },
}
