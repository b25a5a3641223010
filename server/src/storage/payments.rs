//! Payments as both backends store them: what a read gives back, what an
//! update answers, and the encodings both use. The rules are
//! `payments::transition::decide`, which each backend calls inside the
//! transaction that locks the order and its payment.

use time::OffsetDateTime;
use uuid::Uuid;
use wendan_payments::{Amount, Currency, MerchantRef, Payment, PaymentState};
use wendan_protocol::OrderStatus;

use super::{StatusEvent, StorageError};
use crate::payments::transition::{Decision, Locked, PaymentUpdate, Refused};
use crate::payments::{Attempt, Channel, ProviderId};

/// An attempt as stored, with what the query schedule needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttempt {
    pub attempt: Attempt,
    pub started_at: OffsetDateTime,
    pub queries_done: u32,
}

/// An order's payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPayment {
    pub payment: Payment,
    /// Whose attempt is current (or `counter` once settled there).
    pub provider: Option<ProviderId>,
    /// The current attempt, once there is one.
    pub current: Option<StoredAttempt>,
}

/// What an update came to, after its commit.
#[derive(Debug, Clone)]
pub struct Applied {
    /// What was stored, or why nothing was.
    pub outcome: Result<Decision, Refused>,
    /// The payment as it stands now.
    pub payment: StoredPayment,
    pub order_status: OrderStatus,
    /// The order's status event, when the update moved the order.
    pub event: Option<StatusEvent>,
}

/// A payment that needs the server's attention (a pending or failed
/// attempt, a refund not confirmed, a capture of a cancelled order).
#[derive(Debug, Clone)]
pub struct Unsettled {
    pub payment: StoredPayment,
    pub order_status: OrderStatus,
}

/// One line of `payment_events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEvent {
    pub seq: i64,
    pub order_id: String,
    pub source: String,
    pub merchant_ref: Option<String>,
    pub accepted: bool,
    /// The refusal's kind when not accepted.
    pub refusal: Option<String>,
    pub state_after: PaymentState,
    pub at: OffsetDateTime,
}

/// What the transition reads of `order` and its payment (the stored one,
/// or, before its first step, a new one for the order's total), read by each
/// backend under its lock.
pub(crate) fn lock(
    order: &wendan_protocol::PlacedOrder,
    stored: Option<StoredPayment>,
) -> Result<(StoredPayment, Locked), StorageError> {
    let stored = match stored {
        Some(stored) => stored,
        None => StoredPayment {
            payment: first_payment(&order.id, order.total_minor, &order.currency)?,
            provider: None,
            current: None,
        },
    };
    let locked = Locked {
        order_status: order.status,
        payment: stored.payment.clone(),
        provider: stored.provider,
        attempt: stored
            .current
            .as_ref()
            .map(|current| current.attempt.clone()),
    };
    Ok((stored, locked))
}

/// The payment an order has before any step: its total, nothing started.
pub(crate) fn first_payment(
    order_id: &str,
    total_minor: i64,
    currency: &str,
) -> Result<Payment, StorageError> {
    let id = order_uuid(order_id)?;
    let currency = Currency::new(currency)
        .map_err(|error| StorageError::corrupt_because("an order's currency", error))?;
    Ok(Payment::new(id, Amount::new(total_minor, currency)))
}

/// Order ids are UUIDs (`new_order_id`); the merchant numbers are made from them.
pub(crate) fn order_uuid(order_id: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(order_id)
        .map_err(|error| StorageError::corrupt_because("an order id that is not a UUID", error))
}

pub(crate) fn encode_payment(payment: &Payment) -> Result<String, StorageError> {
    serde_json::to_string(payment)
        .map_err(|error| StorageError::corrupt_because("cannot encode a payment", error))
}

pub(crate) fn decode_payment(record: &str) -> Result<Payment, StorageError> {
    serde_json::from_str(record)
        .map_err(|error| StorageError::corrupt_because("a stored payment", error))
}

pub(crate) fn encode_channel(channel: &Channel) -> Result<String, StorageError> {
    serde_json::to_string(channel)
        .map_err(|error| StorageError::corrupt_because("cannot encode a payment channel", error))
}

pub(crate) fn decode_channel(text: &str) -> Result<Channel, StorageError> {
    serde_json::from_str(text)
        .map_err(|error| StorageError::corrupt_because("a stored payment channel", error))
}

pub(crate) fn parse_provider(text: Option<&str>) -> Result<Option<ProviderId>, StorageError> {
    text.map(|word| {
        word.parse()
            .map_err(|error| StorageError::corrupt_because("a stored payment provider", error))
    })
    .transpose()
}

pub(crate) fn parse_payment_state(text: &str) -> Result<PaymentState, StorageError> {
    text.parse()
        .map_err(|error| StorageError::corrupt_because("a stored payment state", error))
}

/// An attempt row's columns, read back.
pub(crate) struct AttemptColumns {
    pub merchant_ref: String,
    pub channel: String,
    pub description: String,
    pub amount_minor: i64,
    pub currency: String,
    pub handle: Option<String>,
    pub started_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub queries_done: i64,
}

impl AttemptColumns {
    pub(crate) fn into_stored(self) -> Result<StoredAttempt, StorageError> {
        let merchant_ref = MerchantRef::parse(&self.merchant_ref)
            .map_err(|error| StorageError::corrupt_because("a stored merchant number", error))?;
        let currency = Currency::new(&self.currency)
            .map_err(|error| StorageError::corrupt_because("an attempt's currency", error))?;
        Ok(StoredAttempt {
            attempt: Attempt {
                merchant_ref,
                amount: Amount::new(self.amount_minor, currency),
                description: self.description,
                expires_at: self.expires_at,
                channel: decode_channel(&self.channel)?,
                handle: self.handle,
            },
            started_at: self.started_at,
            queries_done: u32::try_from(self.queries_done).unwrap_or(u32::MAX),
        })
    }
}

/// The event line an update leaves, whatever it came to.
pub(crate) struct EventLine<'a> {
    pub source: &'static str,
    pub merchant_ref: Option<String>,
    pub refusal: Option<&'static str>,
    pub state_after: PaymentState,
    pub order_id: &'a str,
}

impl<'a> EventLine<'a> {
    pub(crate) fn of(
        order_id: &'a str,
        update: &PaymentUpdate,
        outcome: &Result<Decision, Refused>,
        state_after: PaymentState,
    ) -> Self {
        let new_attempt = outcome
            .as_ref()
            .ok()
            .and_then(|decision| decision.new_attempt.as_ref());
        let merchant_ref = match update {
            PaymentUpdate::Observe(observation) => Some(observation.merchant_ref),
            _ => new_attempt.map(|attempt| attempt.merchant_ref),
        };
        EventLine {
            source: update.source(),
            merchant_ref: merchant_ref.map(|reference| reference.to_string()),
            refusal: outcome.as_ref().err().map(Refused::kind),
            state_after,
            order_id,
        }
    }
}

/// Who brought the news that took an order's money: the source of the
/// first accepted `payment_events` line that left the payment `paid`.
///
/// This is the durable record of a repair. Every update already leaves an
/// event line naming its source, in the same commit as the change, so no
/// new column is needed: a capture whose line says `query` (the server's
/// own question, asked on the diner's return, by the sweep or by
/// `wendan-server reconcile`) or `close_answer` (a close that found the
/// money had arrived after all) is one the provider's notification never
/// delivered, and the dashboard counts it as repaired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapturedBy {
    /// The provider's verified notification: the normal way.
    Notification,
    /// The server's query (diner's return, sweep or reconciliation).
    Query,
    /// The answer to the server's close (关单): the payment raced it.
    CloseAnswer,
    /// Staff took the money at the counter.
    Counter,
}

impl CapturedBy {
    /// The event line's source word, as `PaymentUpdate::source` writes it.
    pub fn from_source(source: &str) -> Option<Self> {
        match source {
            "notification" => Some(CapturedBy::Notification),
            "query" => Some(CapturedBy::Query),
            "close_answer" => Some(CapturedBy::CloseAnswer),
            "staff_counter" => Some(CapturedBy::Counter),
            _ => None,
        }
    }

    /// The notification was lost or late: the server's own question found
    /// the money.
    pub const fn repaired(self) -> bool {
        matches!(self, CapturedBy::Query | CapturedBy::CloseAnswer)
    }
}

/// One payment of a trading day, as the dashboard lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPayment {
    pub order_id: String,
    pub order_number: u32,
    pub provider: Option<ProviderId>,
    pub state: PaymentState,
    pub amount: Amount,
    /// The provider's transaction reference (or `counter`), once captured.
    pub reference: Option<String>,
    pub captured_by: Option<CapturedBy>,
}

/// A trading day's payments: every one counted, the latest listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayPayments {
    /// How many payments are in each state, in [`PaymentState::ALL`]'s
    /// order; only the states that occur.
    pub states: Vec<(PaymentState, u64)>,
    /// Money taken (payments with a capture: paid, refund pending or
    /// refunded), one amount per currency.
    pub captured: Vec<Amount>,
    /// Money given back (refunded payments), one amount per currency.
    pub refunded: Vec<Amount>,
    /// Captures the notification did not bring ([`CapturedBy::repaired`]).
    pub repaired: u64,
    /// The latest payments (by order number, newest first), at most the
    /// limit asked for.
    pub latest: Vec<DayPayment>,
}

impl DayPayments {
    /// Every payment of the day, not only the listed ones.
    pub fn count(&self) -> u64 {
        self.states.iter().map(|(_, count)| count).sum()
    }
}

/// A group of a day's payments as both backends' summary query gives it:
/// state, currency, capture source, how many and their sum.
pub(crate) struct SummaryRow {
    pub state: String,
    pub currency: String,
    pub captured_by: Option<String>,
    pub count: i64,
    pub sum_minor: i64,
}

/// A listed payment's columns, read back.
pub(crate) struct DayPaymentRow {
    pub order_id: String,
    pub number: i64,
    pub provider: Option<String>,
    pub state: String,
    pub record: String,
    pub captured_by: Option<String>,
}

impl DayPaymentRow {
    pub(crate) fn into_day_payment(self) -> Result<DayPayment, StorageError> {
        let payment = decode_payment(&self.record)?;
        Ok(DayPayment {
            order_number: super::order_number(self.number)?,
            provider: parse_provider(self.provider.as_deref())?,
            state: parse_payment_state(&self.state)?,
            reference: payment.transaction_reference().map(str::to_owned),
            amount: payment.expected,
            captured_by: self
                .captured_by
                .as_deref()
                .and_then(CapturedBy::from_source),
            order_id: self.order_id,
        })
    }
}

/// The day's payments from the summary groups and the listed rows.
pub(crate) fn day_payments(
    summary: Vec<SummaryRow>,
    latest: Vec<DayPaymentRow>,
) -> Result<DayPayments, StorageError> {
    fn add(totals: &mut Vec<Amount>, currency: &str, minor: i64) -> Result<(), StorageError> {
        let currency = Currency::new(currency)
            .map_err(|error| StorageError::corrupt_because("a payment's currency", error))?;
        match totals.iter_mut().find(|total| total.currency == currency) {
            Some(total) => total.minor += minor,
            None => totals.push(Amount::new(minor, currency)),
        }
        Ok(())
    }
    let mut counts = [0u64; PaymentState::ALL.len()];
    let mut day = DayPayments::default();
    for row in summary {
        let state = parse_payment_state(&row.state)?;
        let count = u64::try_from(row.count).unwrap_or(0);
        if let Some(place) = PaymentState::ALL.iter().position(|s| *s == state) {
            counts[place] += count;
        }
        let captured = state.is_captured() || state == PaymentState::Refunded;
        if captured {
            add(&mut day.captured, &row.currency, row.sum_minor)?;
        }
        if state == PaymentState::Refunded {
            add(&mut day.refunded, &row.currency, row.sum_minor)?;
        }
        let captured_by = row.captured_by.as_deref().and_then(CapturedBy::from_source);
        if captured && captured_by.is_some_and(CapturedBy::repaired) {
            day.repaired += count;
        }
    }
    day.states = PaymentState::ALL
        .into_iter()
        .zip(counts)
        .filter(|(_, count)| *count > 0)
        .collect();
    day.latest = latest
        .into_iter()
        .map(DayPaymentRow::into_day_payment)
        .collect::<Result<_, _>>()?;
    Ok(day)
}
