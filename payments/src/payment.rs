//! One order's payment and the one transition every source of truth goes
//! through: the provider's notification, the server's query, the diner's
//! return (which makes the server query), staff at the counter, close, and
//! refund.
//!
//! The rules are the providers' own (see `shared/reference/payments.md`):
//! - a paid payment cannot be paid again: a second capture is refused and
//!   named, with the refund number that gives it back;
//! - an unknown outcome (`Pending`) is never replaced by a second payment:
//!   "Pay" again resumes the same attempt;
//! - a failed attempt may be followed by another only after it was closed at
//!   the provider;
//! - a refund has its own number, derived from the capture, so it happens once;
//! - the amount and currency of every observation must be the order's.
//!
//! Every call is idempotent: applying the same observation twice answers
//! [`Refusal::NoChange`] the second time, which the server treats as "already
//! handled" (answer the provider `success`, change nothing).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::merchant_ref::MAX_ATTEMPT;
use crate::{Amount, Currency, MerchantRef, Observation, PaymentState, ProviderOutcome};

/// How the money was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum Capture {
    /// By the provider, in attempt `attempt`, under its `transaction_id`.
    Provider {
        attempt: u32,
        transaction_id: String,
    },
    /// At the counter, settled by staff (`staff_ref` names who, for the log).
    Counter { staff_ref: String },
}

/// An order's payment as stored: the state, the expected amount, the current
/// attempt and, once paid, the capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub order_id: Uuid,
    /// The order's total: every observation must match it.
    pub expected: Amount,
    pub state: PaymentState,
    /// The current (latest) provider attempt, 1-based; 0 before the first.
    pub attempt: u32,
    pub capture: Option<Capture>,
}

/// What the server does with the provider after an accepted change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUp {
    /// Another attempt was paid while this one is still open: close it so it
    /// can never be paid too.
    Close(MerchantRef),
    /// Ask the provider for this refund (same number on every retry).
    Refund(MerchantRef),
}

/// An accepted transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub before: PaymentState,
    pub payment: Payment,
    pub follow_up: Option<FollowUp>,
}

impl Change {
    /// The money has just arrived: the order goes to the kitchen now.
    pub fn newly_captured(&self) -> bool {
        !self.before.is_captured() && self.payment.state.is_captured()
    }
}

/// How "Pay" proceeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// Create the provider payment under this number (store the returned
    /// [`Payment`] first: write-ahead, so a crash cannot forget it).
    Create(MerchantRef),
    /// A payment is already in flight: create again with the same number and
    /// parameters, which the provider answers with the same payment.
    Resume(MerchantRef),
}

impl Begin {
    pub fn merchant_ref(&self) -> MerchantRef {
        match self {
            Begin::Create(reference) | Begin::Resume(reference) => *reference,
        }
    }
}

/// Why nothing changed. [`Refusal::is_harmless`] ones are normal life
/// (repeats, late or out-of-order news); the others are logged as suspicious
/// or answered to the diner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("observed amount {observed} differs from the order's {expected}")]
    AmountMismatch { expected: i64, observed: i64 },
    #[error("observed currency {observed} differs from the order's {expected}")]
    CurrencyMismatch {
        expected: Currency,
        observed: Currency,
    },
    #[error("a capture was reported without its amount")]
    MissingAmount,
    #[error("a capture was reported without the provider's transaction reference")]
    MissingTransactionId,
    #[error("the observation is about order {observed}, not this one")]
    OtherOrder { observed: Uuid },
    #[error("attempt {observed} was never started (current attempt {current})")]
    UnknownAttempt { observed: u32, current: u32 },
    #[error("capture {observed} contradicts the recorded {kept}")]
    TransactionMismatch { kept: String, observed: String },
    /// Money was taken a second time for a paid order: give it back with
    /// `refund` (the capture's own refund number).
    #[error("order already paid; capture {transaction_id} must be refunded as {refund}")]
    CapturedTwice {
        transaction_id: String,
        refund: MerchantRef,
    },
    #[error("{outcome:?} cannot follow {state}")]
    Backwards {
        state: PaymentState,
        outcome: ProviderOutcome,
    },
    #[error("attempt {attempt} is no longer the one that counts")]
    Stale { attempt: u32 },
    #[error("already {state}: nothing changes")]
    NoChange { state: PaymentState },
    #[error("a payment is in flight and its outcome is unknown")]
    OutcomeUnknown { pending: MerchantRef },
    #[error("the failed attempt must be closed at the provider first")]
    MustCloseFirst { close: MerchantRef },
    #[error("the order is already paid")]
    AlreadyPaid,
    #[error("the order's payment was refunded")]
    AlreadyRefunded,
    #[error("nothing was captured to refund")]
    NotCaptured,
    #[error("no attempts left for this order")]
    TooManyAttempts,
}

impl Refusal {
    /// The variant's name, for logs and the payment event log.
    pub const fn kind(&self) -> &'static str {
        match self {
            Refusal::AmountMismatch { .. } => "AmountMismatch",
            Refusal::CurrencyMismatch { .. } => "CurrencyMismatch",
            Refusal::MissingAmount => "MissingAmount",
            Refusal::MissingTransactionId => "MissingTransactionId",
            Refusal::OtherOrder { .. } => "OtherOrder",
            Refusal::UnknownAttempt { .. } => "UnknownAttempt",
            Refusal::TransactionMismatch { .. } => "TransactionMismatch",
            Refusal::CapturedTwice { .. } => "CapturedTwice",
            Refusal::Backwards { .. } => "Backwards",
            Refusal::Stale { .. } => "Stale",
            Refusal::NoChange { .. } => "NoChange",
            Refusal::OutcomeUnknown { .. } => "OutcomeUnknown",
            Refusal::MustCloseFirst { .. } => "MustCloseFirst",
            Refusal::AlreadyPaid => "AlreadyPaid",
            Refusal::AlreadyRefunded => "AlreadyRefunded",
            Refusal::NotCaptured => "NotCaptured",
            Refusal::TooManyAttempts => "TooManyAttempts",
        }
    }

    /// A repeat, a late or out-of-order report: answer the provider
    /// `success`, change nothing, log at debug level.
    pub fn is_harmless(&self) -> bool {
        matches!(
            self,
            Refusal::NoChange { .. } | Refusal::Stale { .. } | Refusal::Backwards { .. }
        )
    }
}

impl Payment {
    /// A new order's payment: nothing started yet.
    pub fn new(order_id: Uuid, expected: Amount) -> Self {
        Payment {
            order_id,
            expected,
            state: PaymentState::Unpaid,
            attempt: 0,
            capture: None,
        }
    }

    /// The current attempt's number, once there is one.
    pub fn current_ref(&self) -> Option<MerchantRef> {
        MerchantRef::trade(self.order_id, self.attempt).ok()
    }

    /// The refund number of the capture, once captured by a provider.
    pub fn refund_ref(&self) -> Option<MerchantRef> {
        match &self.capture {
            Some(Capture::Provider { attempt, .. }) => {
                MerchantRef::refund(self.order_id, *attempt).ok()
            }
            _ => None,
        }
    }

    /// The provider's transaction reference (or `counter`), for the receipt.
    pub fn transaction_reference(&self) -> Option<&str> {
        match &self.capture {
            Some(Capture::Provider { transaction_id, .. }) => Some(transaction_id),
            Some(Capture::Counter { .. }) => Some("counter"),
            None => None,
        }
    }

    /// The attempt the server must close before anything else may happen.
    pub fn needs_close(&self) -> Option<MerchantRef> {
        (self.state == PaymentState::Failed)
            .then(|| self.current_ref())
            .flatten()
    }

    /// "Pay": start an attempt, or resume the one in flight.
    pub fn begin(&self) -> Result<(Payment, Begin), Refusal> {
        match self.state {
            PaymentState::Pending => {
                let pending = self.pending_ref()?;
                Ok((self.clone(), Begin::Resume(pending)))
            }
            PaymentState::Unpaid | PaymentState::Closed | PaymentState::Counter => {
                if self.attempt >= MAX_ATTEMPT {
                    return Err(Refusal::TooManyAttempts);
                }
                let attempt = self.attempt + 1;
                let reference = MerchantRef::trade(self.order_id, attempt)
                    .map_err(|_| Refusal::TooManyAttempts)?;
                let next = Payment {
                    state: PaymentState::Pending,
                    attempt,
                    ..self.clone()
                };
                Ok((next, Begin::Create(reference)))
            }
            PaymentState::Failed => Err(self.must_close()),
            PaymentState::Paid | PaymentState::RefundPending => Err(Refusal::AlreadyPaid),
            PaymentState::Refunded => Err(Refusal::AlreadyRefunded),
        }
    }

    /// The diner will pay at the counter.
    pub fn choose_counter(&self) -> Result<Change, Refusal> {
        match self.state {
            PaymentState::Unpaid | PaymentState::Closed => {
                Ok(self.change(PaymentState::Counter, None, None))
            }
            PaymentState::Counter => Err(self.no_change()),
            _ => Err(self.refuse_staff_or_counter()),
        }
    }

    /// Staff took the money at the counter. Refused while an online payment
    /// is in flight, so the diner cannot pay both ways.
    pub fn settle_at_counter(&self, staff_ref: &str) -> Result<Change, Refusal> {
        match self.state {
            state if state.can_settle_at_counter() => {
                let capture = Capture::Counter {
                    staff_ref: staff_ref.to_owned(),
                };
                Ok(self.change(PaymentState::Paid, Some(capture), None))
            }
            PaymentState::Paid if matches!(self.capture, Some(Capture::Counter { .. })) => {
                Err(self.no_change())
            }
            _ => Err(self.refuse_staff_or_counter()),
        }
    }

    /// The kitchen cancelled a paid order: refund it, once. A counter payment
    /// is handed back by staff at once; a provider capture waits for the
    /// provider's confirmation under the capture's own refund number.
    pub fn refund(&self) -> Result<Change, Refusal> {
        match (&self.state, &self.capture) {
            (PaymentState::Paid, Some(Capture::Counter { .. })) => {
                Ok(self.change(PaymentState::Refunded, self.capture.clone(), None))
            }
            (PaymentState::Paid, Some(Capture::Provider { .. })) => {
                let refund = self.refund_ref().ok_or(Refusal::NotCaptured)?;
                Ok(self.change(
                    PaymentState::RefundPending,
                    self.capture.clone(),
                    Some(FollowUp::Refund(refund)),
                ))
            }
            (PaymentState::RefundPending | PaymentState::Refunded, _) => Err(self.no_change()),
            _ => Err(Refusal::NotCaptured),
        }
    }

    /// A verified observation from any source.
    pub fn observe(&self, observation: &Observation) -> Result<Change, Refusal> {
        let reference = observation.merchant_ref;
        if reference.order_id() != self.order_id {
            return Err(Refusal::OtherOrder {
                observed: reference.order_id(),
            });
        }
        if let Some(amount) = &observation.amount {
            self.check_amount(amount)?;
        }
        let attempt = reference.attempt();
        if attempt > self.attempt {
            return Err(Refusal::UnknownAttempt {
                observed: attempt,
                current: self.attempt,
            });
        }
        match observation.outcome {
            ProviderOutcome::Paid => self.observe_capture(attempt, observation),
            ProviderOutcome::Refunded | ProviderOutcome::RefundFailed => {
                self.observe_refund(attempt, observation.outcome)
            }
            ProviderOutcome::NotPaid
            | ProviderOutcome::Paying
            | ProviderOutcome::Failed
            | ProviderOutcome::Closed => self.observe_uncaptured(attempt, observation.outcome),
        }
    }

    fn check_amount(&self, observed: &Amount) -> Result<(), Refusal> {
        if observed.currency != self.expected.currency {
            return Err(Refusal::CurrencyMismatch {
                expected: self.expected.currency.clone(),
                observed: observed.currency.clone(),
            });
        }
        if observed.minor != self.expected.minor {
            return Err(Refusal::AmountMismatch {
                expected: self.expected.minor,
                observed: observed.minor,
            });
        }
        Ok(())
    }

    fn observe_capture(&self, attempt: u32, observation: &Observation) -> Result<Change, Refusal> {
        if observation.amount.is_none() {
            return Err(Refusal::MissingAmount);
        }
        let transaction_id = observation
            .transaction_id
            .clone()
            .filter(|id| !id.is_empty())
            .ok_or(Refusal::MissingTransactionId)?;
        match &self.capture {
            Some(Capture::Provider {
                attempt: kept_attempt,
                transaction_id: kept,
            }) if *kept_attempt == attempt => {
                if *kept == transaction_id {
                    Err(self.no_change())
                } else {
                    Err(Refusal::TransactionMismatch {
                        kept: kept.clone(),
                        observed: transaction_id,
                    })
                }
            }
            Some(_) => Err(Refusal::CapturedTwice {
                transaction_id,
                refund: MerchantRef::refund(self.order_id, attempt)
                    .map_err(|_| Refusal::TooManyAttempts)?,
            }),
            None => {
                // The provider's word on money wins over our belief that the
                // attempt was failed or closed: a close can race a payment.
                let still_open = (attempt < self.attempt && self.state == PaymentState::Pending)
                    .then(|| self.current_ref())
                    .flatten()
                    .map(FollowUp::Close);
                let capture = Capture::Provider {
                    attempt,
                    transaction_id,
                };
                Ok(self.change(PaymentState::Paid, Some(capture), still_open))
            }
        }
    }

    fn observe_refund(&self, attempt: u32, outcome: ProviderOutcome) -> Result<Change, Refusal> {
        match &self.capture {
            Some(Capture::Provider {
                attempt: captured, ..
            }) if *captured == attempt => {}
            // The refund of a second capture (see `CapturedTwice`), or news
            // about an attempt that took no money: not this payment's state.
            _ => return Err(Refusal::Stale { attempt }),
        }
        let refunded = outcome == ProviderOutcome::Refunded;
        match (self.state, refunded) {
            (PaymentState::Paid | PaymentState::RefundPending, true) => {
                Ok(self.change(PaymentState::Refunded, self.capture.clone(), None))
            }
            // The refund keeps its number: asking again cannot refund twice.
            (PaymentState::RefundPending, false) => {
                Ok(self.change(PaymentState::Paid, self.capture.clone(), None))
            }
            (PaymentState::Refunded, true) | (PaymentState::Paid, false) => Err(self.no_change()),
            (state, _) => Err(Refusal::Backwards { state, outcome }),
        }
    }

    fn observe_uncaptured(
        &self,
        attempt: u32,
        outcome: ProviderOutcome,
    ) -> Result<Change, Refusal> {
        if attempt < self.attempt {
            return Err(Refusal::Stale { attempt });
        }
        let backwards = Refusal::Backwards {
            state: self.state,
            outcome,
        };
        match (self.state, outcome) {
            (PaymentState::Pending, ProviderOutcome::NotPaid | ProviderOutcome::Paying) => {
                Err(self.no_change())
            }
            (PaymentState::Pending, ProviderOutcome::Failed) => {
                Ok(self.change(PaymentState::Failed, None, None))
            }
            (PaymentState::Pending | PaymentState::Failed, ProviderOutcome::Closed) => {
                Ok(self.change(PaymentState::Closed, None, None))
            }
            (PaymentState::Failed, ProviderOutcome::Failed)
            | (PaymentState::Closed | PaymentState::Counter, ProviderOutcome::Closed) => {
                Err(self.no_change())
            }
            // Another attempt's capture made this one irrelevant.
            (PaymentState::Paid | PaymentState::RefundPending | PaymentState::Refunded, _)
                if self.captured_attempt() != Some(attempt) =>
            {
                Err(Refusal::Stale { attempt })
            }
            _ => Err(backwards),
        }
    }

    fn captured_attempt(&self) -> Option<u32> {
        match &self.capture {
            Some(Capture::Provider { attempt, .. }) => Some(*attempt),
            _ => None,
        }
    }

    fn change(
        &self,
        state: PaymentState,
        capture: Option<Capture>,
        follow_up: Option<FollowUp>,
    ) -> Change {
        Change {
            before: self.state,
            payment: Payment {
                state,
                capture,
                ..self.clone()
            },
            follow_up,
        }
    }

    fn no_change(&self) -> Refusal {
        Refusal::NoChange { state: self.state }
    }

    fn pending_ref(&self) -> Result<MerchantRef, Refusal> {
        self.current_ref().ok_or(Refusal::UnknownAttempt {
            observed: self.attempt,
            current: self.attempt,
        })
    }

    fn must_close(&self) -> Refusal {
        match self.current_ref() {
            Some(close) => Refusal::MustCloseFirst { close },
            None => Refusal::NotCaptured,
        }
    }

    /// Why a counter choice or settlement is refused in the current state.
    fn refuse_staff_or_counter(&self) -> Refusal {
        match self.state {
            PaymentState::Pending => match self.pending_ref() {
                Ok(pending) => Refusal::OutcomeUnknown { pending },
                Err(refusal) => refusal,
            },
            PaymentState::Failed => self.must_close(),
            PaymentState::Refunded => Refusal::AlreadyRefunded,
            _ => Refusal::AlreadyPaid,
        }
    }
}
