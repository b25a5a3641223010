//! Online payment, the server's side: the providers behind one trait.
//!
//! - [`provider`]: [`PaymentProvider`] and what goes through it — the
//!   stored [`Attempt`] a create is made from, the [`Handoff`] the widget
//!   continues with, [`Channel`] (where the diner pays), [`CaptureRefund`].
//! - [`error`]: [`ProviderError`], typed by what a failure tells about the
//!   provider's state ([`ProviderError::outcome_unknown`]), and
//!   [`NotificationError`].
//! - [`wechat`], [`alipay`], [`stripe`], [`counter`]: one thin adapter per
//!   provider over `wendan-payments`' codecs; [`wechat_openid`]: the diner's
//!   `openid` for WeChat's JSAPI, by the official account's web authorisation.
//! - [`http`]: the HTTPS client they share (rustls, timeouts).
//! - [`registry`]: the providers a restaurant enabled, and its [`PaymentMode`].
//! - [`flags`], [`setup`], [`sandbox`]: the command line, read and checked at
//!   start; `--payment-sandbox` points every provider at `wendan-paysim`.
//! - [`paths`]: the notify and return URLs the providers are told.
//!
//! The payment states and the one transition every observation goes through
//! are `wendan_payments::Payment`; storing them and the routes that use these
//! adapters live elsewhere.

pub mod alipay;
pub mod counter;
pub mod error;
pub mod flags;
pub mod http;
pub mod paths;
pub mod provider;
pub mod registry;
pub mod sandbox;
pub mod setup;
pub mod stripe;
pub mod transition;
pub mod wechat;
pub mod wechat_openid;

pub use error::{CodecError, NotificationError, ProviderError};
pub use flags::{PaymentFlags, PaymentMode, Secret};
pub use http::{ProviderHttp, Timeouts};
pub use paths::PublicUrls;
pub use provider::{
    Attempt, CaptureRefund, Channel, Created, Handoff, PaymentProvider, ProviderId,
};
pub use registry::PaymentProviders;
pub use setup::PaymentConfigError;
