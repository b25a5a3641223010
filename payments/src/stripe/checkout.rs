//! Checkout Sessions: create (with an idempotency key), retrieve, expire.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{METADATA_ORDER, StripeError, form, merchant_ref};
use crate::merchant_ref::stripe_idempotency_key;
use crate::{Amount, Currency, MerchantRef, Observation, ProviderOutcome, Source};

pub const SESSIONS_PATH: &str = "/v1/checkout/sessions";

/// `GET` to retrieve a session.
pub fn session_path(id: &str) -> String {
    format!("{SESSIONS_PATH}/{id}")
}

/// `POST` to expire an open session: after it, nobody can pay it.
pub fn expire_path(id: &str) -> String {
    format!("{SESSIONS_PATH}/{id}/expire")
}

/// What Wendan asks Stripe to create for one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession<'a> {
    pub merchant_ref: MerchantRef,
    pub amount: &'a Amount,
    /// The line the diner sees on the hosted page.
    pub name: &'a str,
    /// Back to the widget after paying (`{CHECKOUT_SESSION_ID}` is filled in).
    pub success_url: &'a str,
    /// Back to the widget after "back" on the hosted page.
    pub cancel_url: &'a str,
    /// Stripe takes 30 minutes to 24 hours from creation.
    pub expires_at: OffsetDateTime,
}

/// A create request: its form body and its `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRequest {
    pub body: String,
    pub idempotency_key: String,
}

impl NewSession<'_> {
    pub fn request(&self) -> Result<CreateRequest, StripeError> {
        let order = self.merchant_ref.order_id().to_string();
        let reference = self.merchant_ref.to_string();
        let pairs: Vec<(String, String)> = [
            ("mode", "payment".to_owned()),
            ("client_reference_id", order.clone()),
            ("line_items[0][quantity]", "1".to_owned()),
            (
                "line_items[0][price_data][currency]",
                self.amount.currency.lowercase(),
            ),
            (
                "line_items[0][price_data][unit_amount]",
                self.amount.minor.to_string(),
            ),
            (
                "line_items[0][price_data][product_data][name]",
                self.name.to_owned(),
            ),
            ("success_url", self.success_url.to_owned()),
            ("cancel_url", self.cancel_url.to_owned()),
            ("expires_at", self.expires_at.unix_timestamp().to_string()),
            ("metadata[order_id]", order.clone()),
            ("metadata[wendan_ref]", reference.clone()),
            ("payment_intent_data[metadata][order_id]", order),
            ("payment_intent_data[metadata][wendan_ref]", reference),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Ok(CreateRequest {
            body: form(&pairs)?,
            idempotency_key: stripe_idempotency_key(&self.merchant_ref),
        })
    }
}

/// A Checkout Session as Stripe answers and as `checkout.session.*` events carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    /// The hosted page; send the diner there.
    #[serde(default)]
    pub url: Option<String>,
    /// `open`, `complete` or `expired`.
    pub status: String,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: String,
    #[serde(default)]
    pub payment_intent: Option<String>,
    #[serde(default)]
    pub amount_total: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub client_reference_id: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    #[serde(default)]
    pub expires_at: Option<i64>,
}

impl CheckoutSession {
    /// `complete`+`paid` → paid (the PaymentIntent id is the reference);
    /// `expired` → closed; `open` → not paid; `complete`+`unpaid` (a delayed
    /// method) → paying.
    pub fn observation(&self, source: Source) -> Result<Observation, StripeError> {
        let outcome = match (self.status.as_str(), self.payment_status.as_str()) {
            ("complete", "paid") => ProviderOutcome::Paid,
            ("complete", _) => ProviderOutcome::Paying,
            ("open", _) => ProviderOutcome::NotPaid,
            ("expired", _) => ProviderOutcome::Closed,
            (other, _) => return Err(StripeError::Status(other.to_owned())),
        };
        let amount = match (self.amount_total, &self.currency) {
            (Some(minor), Some(currency)) => Some(Amount::new(minor, Currency::new(currency)?)),
            _ => None,
        };
        if outcome == ProviderOutcome::Paid && (amount.is_none() || self.payment_intent.is_none()) {
            return Err(StripeError::Incomplete);
        }
        Ok(Observation {
            source,
            merchant_ref: merchant_ref(&self.metadata, self.payment_intent.as_deref())?,
            outcome,
            amount,
            transaction_id: self.payment_intent.clone(),
        })
    }

    /// The order this session pays for, as `client_reference_id` names it.
    pub fn order_id(&self) -> Option<&str> {
        self.client_reference_id
            .as_deref()
            .or(self.metadata.get(METADATA_ORDER).map(String::as_str))
    }

    /// Our number for this session.
    pub fn merchant_ref(&self) -> Result<MerchantRef, StripeError> {
        merchant_ref(&self.metadata, self.payment_intent.as_deref())
    }
}
