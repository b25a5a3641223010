//! The providers a restaurant has enabled, and when its diners pay.

use std::fmt;
use std::sync::Arc;

use time::Duration;

use super::counter::Counter;
use super::flags::PaymentMode;
use super::provider::{Channel, PaymentProvider, ProviderId};
use super::setup::PaymentConfigError;
use super::wechat_openid::OpenidExchange;

/// Built once at start ([`super::PaymentFlags::providers`]); cheap to share.
pub struct PaymentProviders {
    mode: PaymentMode,
    /// Every online provider is the payment sandbox: the widget says so.
    sandbox: bool,
    /// The online providers, then the counter (always there).
    providers: Vec<Arc<dyn PaymentProvider>>,
    /// The restaurant's payment window, when shorter than the providers'.
    window: Option<Duration>,
    /// WeChat's `openid` exchange, when JSAPI inside WeChat is set up.
    openid_exchange: Option<Arc<OpenidExchange>>,
}

impl PaymentProviders {
    /// `online` are the enabled online providers (tests may pass their own).
    /// `pay-first` and `either` without one are refused: their diners could
    /// not pay.
    pub fn new(
        mode: PaymentMode,
        sandbox: bool,
        online: Vec<Arc<dyn PaymentProvider>>,
    ) -> Result<Self, PaymentConfigError> {
        if mode.needs_online_provider() && online.is_empty() {
            return Err(PaymentConfigError::NoOnlineProvider { mode });
        }
        let mut providers = online;
        providers.push(Arc::new(Counter));
        Ok(PaymentProviders {
            mode,
            sandbox,
            providers,
            window: None,
            openid_exchange: None,
        })
    }

    /// How long a diner has to pay, at most (each provider keeps its own
    /// bounds: see [`PaymentProviders::lifetime`]).
    pub fn with_window(self, window: Option<Duration>) -> Self {
        PaymentProviders { window, ..self }
    }

    /// Diners inside the WeChat browser pay there (JSAPI): the server can
    /// learn their `openid`.
    pub fn with_openid_exchange(self, openid_exchange: Option<Arc<OpenidExchange>>) -> Self {
        PaymentProviders {
            openid_exchange,
            ..self
        }
    }

    pub fn openid_exchange(&self) -> Option<&Arc<OpenidExchange>> {
        self.openid_exchange.as_ref()
    }

    /// How long an attempt with `provider` stays payable: the restaurant's
    /// window within the provider's bounds.
    pub fn lifetime(&self, provider: &dyn PaymentProvider) -> Duration {
        let longest = provider.attempt_lifetime();
        match self.window {
            Some(window) => window.clamp(provider.shortest_lifetime().min(longest), longest),
            None => longest,
        }
    }

    pub fn mode(&self) -> PaymentMode {
        self.mode
    }

    pub fn is_sandbox(&self) -> bool {
        self.sandbox
    }

    pub fn get(&self, id: ProviderId) -> Option<&Arc<dyn PaymentProvider>> {
        self.providers.iter().find(|provider| provider.id() == id)
    }

    /// The provider that takes payments on `channel`, if one is enabled and
    /// set up for it.
    pub fn for_channel(&self, channel: &Channel) -> Option<&Arc<dyn PaymentProvider>> {
        self.providers
            .iter()
            .find(|provider| provider.accepts(channel))
    }

    /// Enabled providers, online ones first, the counter last.
    pub fn enabled(&self) -> Vec<ProviderId> {
        self.providers
            .iter()
            .map(|provider| provider.id())
            .collect()
    }
}

impl fmt::Debug for PaymentProviders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentProviders")
            .field("mode", &self.mode)
            .field("sandbox", &self.sandbox)
            .field("enabled", &self.enabled())
            .finish()
    }
}
