//! Webhooks: `Stripe-Signature: t=…,v1=…[,v1=…]` is HMAC-SHA256 of
//! `"{t}.{payload}"` under the endpoint secret (the whole `whsec_…` string),
//! hex. Any one matching `v1` is enough (secrets roll); a timestamp older than
//! the tolerance is refused (the official libraries: 300 s by default).
//! Events may come more than once and out of order: the payment transition
//! takes care of that.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use super::StripeError;
use super::checkout::CheckoutSession;
use super::payment_intent::{Charge, PaymentIntent, Refund};
use crate::{Observation, Source};

pub const DEFAULT_TOLERANCE: Duration = Duration::seconds(300);
pub const HEADER: &str = "Stripe-Signature";

fn mac(secret: &str, timestamp: i64, payload: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac.finalize().into_bytes().to_vec()
}

/// The header Stripe would send for `payload` at `timestamp` (the sandbox
/// signs with it).
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let hex: String = mac(secret, timestamp, payload)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("t={timestamp},v1={hex}")
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Checks `header` over `payload`.
pub fn verify(
    payload: &[u8],
    header: &str,
    secret: &str,
    now: OffsetDateTime,
    tolerance: Duration,
) -> Result<(), StripeError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        let (name, value) = item
            .trim()
            .split_once('=')
            .ok_or(StripeError::InvalidHeader)?;
        match name {
            "t" => {
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| StripeError::InvalidHeader)?,
                )
            }
            // An unreadable v1 is ignored, as the official libraries do.
            "v1" => signatures.extend(unhex(value)),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(StripeError::InvalidHeader)?;
    let expected = mac(secret, timestamp, payload);
    if !signatures
        .iter()
        .any(|candidate| bool::from(candidate.as_slice().ct_eq(&expected)))
    {
        return Err(StripeError::NoValidSignature);
    }
    let now = now.unix_timestamp();
    if now.saturating_sub(timestamp) > tolerance.whole_seconds() {
        return Err(StripeError::TooOld { timestamp, now });
    }
    Ok(())
}

/// An event as posted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub created: i64,
    pub data: EventData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

impl Event {
    /// Parses the payload, nothing more (no trust yet): the fuzzing entry point.
    pub fn from_bytes(payload: &[u8]) -> Result<Self, StripeError> {
        Ok(serde_json::from_slice(payload)?)
    }

    /// Verifies then parses.
    pub fn verified(
        payload: &[u8],
        header: &str,
        secret: &str,
        now: OffsetDateTime,
    ) -> Result<Self, StripeError> {
        verify(payload, header, secret, now, DEFAULT_TOLERANCE)?;
        Event::from_bytes(payload)
    }

    /// What the event says about a payment, or `None` for events that move
    /// nothing (other types, a pending refund, a partly refunded charge).
    pub fn observation(&self) -> Result<Option<Observation>, StripeError> {
        let object = || self.data.object.clone();
        let source = Source::Notification;
        Ok(match self.kind.as_str() {
            "checkout.session.completed"
            | "checkout.session.expired"
            | "checkout.session.async_payment_succeeded" => {
                Some(serde_json::from_value::<CheckoutSession>(object())?.observation(source)?)
            }
            "checkout.session.async_payment_failed" => {
                let session: CheckoutSession = serde_json::from_value(object())?;
                Some(Observation {
                    outcome: crate::ProviderOutcome::Failed,
                    ..session_observation_unpaid(&session)?
                })
            }
            "payment_intent.succeeded"
            | "payment_intent.payment_failed"
            | "payment_intent.canceled"
            | "payment_intent.processing" => {
                Some(serde_json::from_value::<PaymentIntent>(object())?.observation(source)?)
            }
            "charge.refunded" => serde_json::from_value::<Charge>(object())?.observation(source)?,
            "refund.updated" | "refund.created" | "charge.refund.updated" => {
                serde_json::from_value::<Refund>(object())?.observation(source)?
            }
            _ => None,
        })
    }
}

fn session_observation_unpaid(session: &CheckoutSession) -> Result<Observation, StripeError> {
    Ok(Observation {
        source: Source::Notification,
        merchant_ref: session.merchant_ref()?,
        outcome: crate::ProviderOutcome::NotPaid,
        amount: None,
        transaction_id: session.payment_intent.clone(),
    })
}
