//! Stripe, through Checkout: a hosted page the diner is redirected to and
//! back from, so no card data ever touches the widget.
//!
//! - [`checkout`]: the Checkout Session form body (the order id as
//!   `client_reference_id`, our attempt number in `metadata` of the session
//!   and of its PaymentIntent), retrieve and expire (Stripe's close).
//! - [`payment_intent`]: retrieve, cancel, and refunds.
//! - [`webhook`]: `Stripe-Signature` verification and the events Wendan reads.
//!
//! Every create carries an `Idempotency-Key` derived from our number
//! ([`crate::merchant_ref::stripe_idempotency_key`]): Stripe keeps it 24 h,
//! so a retried create returns the same session instead of a second one.

pub mod checkout;
pub mod payment_intent;
pub mod webhook;

use std::collections::BTreeMap;

use crate::{MerchantRef, MerchantRefError, MoneyError};

/// The live API's base URL; the sandbox stands in for it.
pub const API_BASE: &str = "https://api.stripe.com";

/// The metadata key that carries our number on every object we create.
pub const METADATA_REF: &str = "wendan_ref";
/// The metadata key that carries the order id.
pub const METADATA_ORDER: &str = "order_id";

#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    #[error("Stripe-Signature header is missing or malformed")]
    InvalidHeader,
    #[error("no v1 signature matches the payload")]
    NoValidSignature,
    #[error("the signature timestamp {timestamp} is older than the tolerance (now {now})")]
    TooOld { timestamp: i64, now: i64 },
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("form: {0}")]
    Form(String),
    #[error("the object carries no {METADATA_REF} metadata (PaymentIntent {0:?})")]
    MissingMerchantRef(Option<String>),
    #[error("unknown status {0:?}")]
    Status(String),
    #[error("a completed payment without its PaymentIntent or amount")]
    Incomplete,
    #[error("merchant number: {0}")]
    MerchantRef(#[from] MerchantRefError),
    #[error("amount: {0}")]
    Money(#[from] MoneyError),
}

/// Our number from an object's `metadata`.
fn merchant_ref(
    metadata: &BTreeMap<String, String>,
    payment_intent: Option<&str>,
) -> Result<MerchantRef, StripeError> {
    let text = metadata
        .get(METADATA_REF)
        .ok_or_else(|| StripeError::MissingMerchantRef(payment_intent.map(str::to_owned)))?;
    Ok(MerchantRef::parse(text)?)
}

/// Form-encodes `pairs` (Stripe's `a[b][c]=v` keys are written as given).
fn form(pairs: &[(String, String)]) -> Result<String, StripeError> {
    serde_urlencoded::to_string(pairs).map_err(|e| StripeError::Form(e.to_string()))
}

#[cfg(test)]
mod tests;
