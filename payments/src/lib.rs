//! Payments for Wendan: the payment states, the one transition that every
//! source of truth goes through, and the WeChat Pay, Alipay and Stripe
//! protocols as published. Plain Rust: no I/O, no async runtime, no clock of
//! its own (keys, instants and nonces are passed in), so the server, the
//! reconciliation command, the sandbox and the tests all run the same code.
//!
//! - [`state`]: [`PaymentState`], the one list of states (SQL `TEXT`,
//!   the widget's `data-payment`, the kitchen page).
//! - [`payment`]: [`Payment`] and its transition: [`Payment::begin`] ("Pay"),
//!   [`Payment::observe`] (notification, query, close and refund answers),
//!   [`Payment::choose_counter`], [`Payment::settle_at_counter`],
//!   [`Payment::refund`]; a [`Refusal`] says why nothing changed.
//! - [`observation`]: what a provider said, in one shape for all of them.
//! - [`merchant_ref`]: `out_trade_no` / refund numbers / idempotency keys,
//!   derived from the order id and the attempt.
//! - [`query_schedule`]: when the server asks the provider itself.
//! - [`money`]: amounts in minor units, Alipay's yuan strings.
//! - [`wechat`], [`alipay`], [`stripe`]: the codecs, one module each.
//! - [`wire`]: what the diner's page and the server say about a payment
//!   (the widget reads these too).
//! - `rsa_sha256`: SHA256withRSA keys, shared by WeChat and Alipay.
//!
//! The codecs and their cryptography sit behind the default `providers`
//! feature: `default-features = false` leaves the states, the transition,
//! the numbers and the schedule (for the widget's wasm).
//!
//! # How the server uses it (proposal)
//!
//! One trait in the server, one implementation per provider, each a thin
//! async adapter over a codec here (HTTP through `reqwest`, the clock and
//! nonces from the server):
//!
//! ```text
//! trait PaymentProvider: Send + Sync {
//!     /// Create (or, for Begin::Resume, re-create with the same number and
//!     /// parameters, which the provider answers with the same payment).
//!     async fn create(&self, begin: &Begin, order: &OrderForPayment, diner: &DinerContext)
//!         -> Result<Handoff, ProviderError>;
//!     /// Ask about one attempt (after silence, on the diner's return, in reconciliation).
//!     async fn query(&self, attempt: &StoredAttempt) -> Result<Option<Observation>, ProviderError>;
//!     /// Close (关单) / expire / cancel one attempt so it can never be paid.
//!     async fn close(&self, attempt: &StoredAttempt) -> Result<Option<Observation>, ProviderError>;
//!     /// Refund the capture under its own number (FollowUp::Refund).
//!     async fn refund(&self, payment: &Payment, attempt: &StoredAttempt)
//!         -> Result<Option<Observation>, ProviderError>;
//!     /// Verify a notification (headers + raw body, never re-serialised) and
//!     /// map it; `None` for events that move nothing.
//!     fn verify_notification(&self, headers: &HeaderMap, body: &[u8], now: OffsetDateTime)
//!         -> Result<Option<Observation>, ProviderError>;
//!     /// The exact acknowledgement the provider expects (WeChat 204, Alipay
//!     /// `success`, Stripe 200).
//!     fn acknowledgement(&self) -> Response;
//! }
//! enum Handoff { Redirect(Url) /* H5, Alipay, Stripe Checkout */,
//!                WechatBridge(wechat::jsapi::BridgePayment) /* JSAPI, mini-program */ }
//! ```
//!
//! Every observation, from whatever source, goes through the same database
//! transaction: lock the payment row (`SELECT … FOR UPDATE` on PostgreSQL,
//! the writer on SQLite), [`Payment::observe`], store the new row and an
//! event line, and in the same transaction release the order to the kitchen
//! when [`Change::newly_captured`]. A harmless [`Refusal`] is acknowledged to
//! the provider and changes nothing; any other is logged as suspicious (and
//! [`Refusal::CapturedTwice`] triggers its refund).
//!
//! What the server stores:
//! - `payments` (one row per order): `order_id`, restaurant, provider,
//!   `state` (`PaymentState::as_str`, with a `CHECK` listing the eight words),
//!   `expected_minor`, `currency`, `attempt`, the capture (`capture_via`,
//!   `captured_attempt`, `transaction_id`, `staff_ref`), `updated_at`.
//! - `payment_attempts` (one row per attempt): `order_id`, `attempt`, the
//!   merchant number, the provider's handle (WeChat `prepay_id`/`h5_url`,
//!   Stripe session id, Alipay redirect URL), `started_at`, `expires_at`,
//!   `queries_done` (for [`QuerySchedule`]).
//! - `payment_events` (append-only): order, source, outcome, provider event
//!   id, accepted or the refusal's kind, at — the dashboard's "needed repair"
//!   list and the chaos verifier read it.
//!
//! The row is written with its new attempt *before* the provider is called
//! ([`Begin::Create`] returns it for that), so a crash between the two leaves
//! a pending attempt that the query schedule resolves, never a forgotten one.

#[cfg(feature = "providers")]
pub mod alipay;
pub mod bill;
pub mod merchant_ref;
pub mod money;
pub mod observation;
pub mod payment;
pub mod query_schedule;
#[cfg(feature = "providers")]
pub mod rsa_sha256;
pub mod state;
#[cfg(feature = "providers")]
pub mod stripe;
#[cfg(feature = "providers")]
pub mod wechat;
pub mod wire;

pub use merchant_ref::{MerchantRef, MerchantRefError};
pub use money::{Amount, Currency, MoneyError};
pub use observation::{Observation, ProviderOutcome, Source};
pub use payment::{Begin, Capture, Change, FollowUp, Payment, Refusal};
pub use query_schedule::{NextCheck, QuerySchedule};
#[cfg(feature = "providers")]
pub use rsa_sha256::{SigningKey, VerifyingKey};
pub use state::PaymentState;
