//! PaymentIntents (retrieve, cancel) and refunds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{METADATA_ORDER, METADATA_REF, StripeError, form, merchant_ref};
use crate::merchant_ref::stripe_idempotency_key;
use crate::{Amount, Currency, MerchantRef, Observation, ProviderOutcome, Source};

pub const REFUNDS_PATH: &str = "/v1/refunds";

/// `GET` to retrieve a PaymentIntent.
pub fn payment_intent_path(id: &str) -> String {
    format!("/v1/payment_intents/{id}")
}

/// `POST` to cancel a PaymentIntent that has not succeeded.
pub fn cancel_path(id: &str) -> String {
    format!("/v1/payment_intents/{id}/cancel")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub amount: i64,
    #[serde(default)]
    pub amount_received: i64,
    pub currency: String,
    /// `requires_payment_method`, `requires_confirmation`, `requires_action`,
    /// `processing`, `requires_capture`, `canceled`, `succeeded`.
    pub status: String,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// Present after a failed attempt to pay.
    #[serde(default)]
    pub last_payment_error: Option<serde_json::Value>,
}

impl PaymentIntent {
    pub fn observation(&self, source: Source) -> Result<Observation, StripeError> {
        let outcome = match self.status.as_str() {
            "succeeded" => ProviderOutcome::Paid,
            "canceled" => ProviderOutcome::Closed,
            "requires_payment_method" if self.last_payment_error.is_some() => {
                ProviderOutcome::Failed
            }
            "requires_payment_method" => ProviderOutcome::NotPaid,
            "requires_confirmation" | "requires_action" | "processing" | "requires_capture" => {
                ProviderOutcome::Paying
            }
            other => return Err(StripeError::Status(other.to_owned())),
        };
        Ok(Observation {
            source,
            merchant_ref: merchant_ref(&self.metadata, Some(&self.id))?,
            outcome,
            amount: Some(Amount::new(self.amount, Currency::new(&self.currency)?)),
            transaction_id: Some(self.id.clone()),
        })
    }
}

/// A full refund of `payment_intent`, the capture of attempt `trade`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub body: String,
    pub idempotency_key: String,
}

pub fn refund_request(
    trade: &MerchantRef,
    payment_intent: &str,
    amount: &Amount,
) -> Result<RefundRequest, StripeError> {
    let refund = MerchantRef::refund(trade.order_id(), trade.attempt())?;
    let pairs: Vec<(String, String)> = vec![
        ("payment_intent".into(), payment_intent.to_owned()),
        ("amount".into(), amount.minor.to_string()),
        ("reason".into(), "requested_by_customer".into()),
        (
            format!("metadata[{METADATA_ORDER}]"),
            trade.order_id().to_string(),
        ),
        (format!("metadata[{METADATA_REF}]"), refund.to_string()),
    ];
    Ok(RefundRequest {
        body: form(&pairs)?,
        idempotency_key: stripe_idempotency_key(&refund),
    })
}

/// A Refund as `POST /v1/refunds` answers and `refund.*` events carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    #[serde(default)]
    pub payment_intent: Option<String>,
    /// `pending`, `requires_action`, `succeeded`, `failed`, `canceled`.
    pub status: String,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

impl Refund {
    /// `None` while pending.
    pub fn observation(&self, source: Source) -> Result<Option<Observation>, StripeError> {
        let outcome = match self.status.as_str() {
            "succeeded" => ProviderOutcome::Refunded,
            "failed" | "canceled" => ProviderOutcome::RefundFailed,
            "pending" | "requires_action" => return Ok(None),
            other => return Err(StripeError::Status(other.to_owned())),
        };
        Ok(Some(Observation {
            source,
            merchant_ref: merchant_ref(&self.metadata, self.payment_intent.as_deref())?,
            outcome,
            amount: Some(Amount::new(self.amount, Currency::new(&self.currency)?)),
            transaction_id: self.payment_intent.clone(),
        }))
    }
}

/// A Charge as `charge.refunded` carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    pub id: String,
    pub amount: i64,
    #[serde(default)]
    pub amount_refunded: i64,
    pub currency: String,
    #[serde(default)]
    pub refunded: bool,
    #[serde(default)]
    pub payment_intent: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

impl Charge {
    /// A fully refunded charge → refunded; anything less changes nothing.
    /// Needs our number in `metadata`; without it the server retrieves the
    /// PaymentIntent named in the error.
    pub fn observation(&self, source: Source) -> Result<Option<Observation>, StripeError> {
        if !self.refunded {
            return Ok(None);
        }
        Ok(Some(Observation {
            source,
            merchant_ref: merchant_ref(&self.metadata, self.payment_intent.as_deref())?,
            outcome: ProviderOutcome::Refunded,
            amount: Some(Amount::new(
                self.amount_refunded,
                Currency::new(&self.currency)?,
            )),
            transaction_id: self.payment_intent.clone(),
        }))
    }
}
