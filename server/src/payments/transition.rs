//! What one payment update does to a payment and its order, decided from
//! what the store has read and locked. Plain Rust (no I/O): each backend
//! calls [`decide`] inside the transaction that holds the payment row, and
//! stores exactly what it answers, so both backends apply the same rules and
//! the rules are tested here directly.
//!
//! The rules beyond `wendan_payments::Payment`'s own:
//! - money captured for an order awaiting payment sends it to the kitchen in
//!   the same commit (`AwaitingPayment → Received`);
//! - money captured for an order that was cancelled (it expired unpaid while
//!   a close raced the diner's payment) is refunded at once: nothing unpaid
//!   is cooked, nothing paid is kept for an order that is not cooked;
//! - a cancelled order cannot start a payment;
//! - an order awaiting payment expires (→ `Cancelled`) only when no provider
//!   payment of it can still complete.

use time::{Duration, OffsetDateTime};
use wendan_payments::{Begin, Change, Observation, Payment, PaymentState, Refusal};
use wendan_protocol::{OrderStatus, StatusChange};

use super::provider::{Attempt, Channel, ProviderId};

/// The reason a diner reads on an order that was not paid in time.
pub const NOT_PAID_IN_TIME: &str = "not paid in time / 未在时限内支付";

/// Something that may move a payment. Each is recorded in `payment_events`,
/// whether it changed anything or not.
#[derive(Debug, Clone)]
pub enum PaymentUpdate {
    /// "Pay": start an attempt as planned, or resume the one in flight.
    Begin(AttemptPlan),
    /// A verified statement of a provider (notification, query, close or
    /// refund answer).
    Observe(Observation),
    /// The diner will pay at the counter.
    ChooseCounter,
    /// Staff took the money at the counter.
    SettleAtCounter { staff_ref: String },
    /// The kitchen cancelled a paid order: give the money back.
    Refund,
    /// The order waited too long unpaid: cancel it, never cooked.
    ExpireUnpaid,
}

impl PaymentUpdate {
    /// Who or what asked, for the event log.
    pub fn source(&self) -> &'static str {
        match self {
            PaymentUpdate::Begin(_) => "diner_pay",
            PaymentUpdate::Observe(observation) => match observation.source {
                wendan_payments::Source::Notification => "notification",
                wendan_payments::Source::Query => "query",
                wendan_payments::Source::CloseAnswer => "close_answer",
                wendan_payments::Source::RefundAnswer => "refund_answer",
            },
            PaymentUpdate::ChooseCounter => "diner_counter",
            PaymentUpdate::SettleAtCounter { .. } => "staff_counter",
            PaymentUpdate::Refund => "kitchen_cancel",
            PaymentUpdate::ExpireUnpaid => "expiry",
        }
    }
}

/// How a new attempt is to be made, should "Pay" start one.
#[derive(Debug, Clone)]
pub struct AttemptPlan {
    pub channel: Channel,
    /// The line on the provider's page.
    pub description: String,
    /// The provider's [`attempt_lifetime`](super::PaymentProvider::attempt_lifetime).
    pub lifetime: Duration,
}

/// What the store read, under its lock, before deciding.
#[derive(Debug, Clone)]
pub struct Locked {
    pub order_status: OrderStatus,
    pub payment: Payment,
    pub provider: Option<ProviderId>,
    /// The current attempt's stored record.
    pub attempt: Option<Attempt>,
}

/// What to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The payment's new row; `None` when it stays as it was (a resume, an expiry).
    pub change: Option<Change>,
    /// A new attempt to insert (before the provider is called).
    pub new_attempt: Option<Attempt>,
    /// The payment's provider from now on.
    pub provider: Option<ProviderId>,
    /// The order's move, made in the same commit.
    pub order: Option<StatusChange>,
}

impl Decision {
    /// The payment after the decision.
    pub fn payment<'a>(&'a self, before: &'a Payment) -> &'a Payment {
        self.change
            .as_ref()
            .map_or(before, |change| &change.payment)
    }
}

/// Why an update changed nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error(transparent)]
    Payment(#[from] Refusal),
    #[error("the order is {0:?}: it takes no payment")]
    OrderClosed(OrderStatus),
    #[error("the order is not awaiting payment (it is {0:?})")]
    NotAwaitingPayment(OrderStatus),
    #[error("{0} is not set up for this restaurant")]
    ProviderNotEnabled(ProviderId),
}

impl Refused {
    /// A repeat or a late report: normal life, not worth a warning.
    pub fn is_harmless(&self) -> bool {
        match self {
            Refused::Payment(refusal) => refusal.is_harmless(),
            _ => false,
        }
    }

    /// The kind, for the event log.
    pub fn kind(&self) -> &'static str {
        match self {
            Refused::Payment(refusal) => refusal.kind(),
            Refused::OrderClosed(_) => "OrderClosed",
            Refused::NotAwaitingPayment(_) => "NotAwaitingPayment",
            Refused::ProviderNotEnabled(_) => "ProviderNotEnabled",
        }
    }
}

/// The one decision, for both backends.
pub fn decide(
    update: &PaymentUpdate,
    locked: &Locked,
    now: OffsetDateTime,
) -> Result<Decision, Refused> {
    let payment = &locked.payment;
    let unchanged_provider = locked.provider;
    match update {
        PaymentUpdate::Begin(plan) => {
            refuse_if_cancelled(locked.order_status)?;
            let (next, begin) = payment.begin()?;
            match begin {
                Begin::Resume(_) => Ok(Decision {
                    change: None,
                    new_attempt: None,
                    provider: unchanged_provider,
                    order: None,
                }),
                Begin::Create(reference) => {
                    let attempt = Attempt::new(
                        reference,
                        payment.expected.clone(),
                        plan.description.clone(),
                        plan.channel.clone(),
                        plan.lifetime,
                        now,
                    );
                    Ok(Decision {
                        change: Some(Change {
                            before: payment.state,
                            payment: next,
                            follow_up: None,
                        }),
                        new_attempt: Some(attempt),
                        provider: Some(plan.channel.provider()),
                        order: None,
                    })
                }
            }
        }
        PaymentUpdate::Observe(observation) => {
            let change = payment.observe(observation)?;
            let captured = change.newly_captured();
            match locked.order_status {
                OrderStatus::AwaitingPayment if captured => Ok(with_order(
                    change,
                    unchanged_provider,
                    OrderStatus::Received,
                )),
                OrderStatus::Cancelled if captured => {
                    // Paid after the order was given up: give it back now.
                    let refund = change.payment.refund()?;
                    Ok(Decision {
                        change: Some(Change {
                            before: payment.state,
                            ..refund
                        }),
                        new_attempt: None,
                        provider: unchanged_provider,
                        order: None,
                    })
                }
                _ => Ok(plain(change, unchanged_provider)),
            }
        }
        PaymentUpdate::ChooseCounter => {
            refuse_if_cancelled(locked.order_status)?;
            Ok(plain(payment.choose_counter()?, unchanged_provider))
        }
        PaymentUpdate::SettleAtCounter { staff_ref } => {
            refuse_if_cancelled(locked.order_status)?;
            let change = payment.settle_at_counter(staff_ref)?;
            let provider = Some(ProviderId::Counter);
            Ok(match locked.order_status {
                OrderStatus::AwaitingPayment => with_order(change, provider, OrderStatus::Received),
                _ => plain(change, provider),
            })
        }
        PaymentUpdate::Refund => Ok(plain(payment.refund()?, unchanged_provider)),
        PaymentUpdate::ExpireUnpaid => {
            if locked.order_status != OrderStatus::AwaitingPayment {
                return Err(Refused::NotAwaitingPayment(locked.order_status));
            }
            match payment.state {
                PaymentState::Unpaid | PaymentState::Closed | PaymentState::Counter => {
                    Ok(Decision {
                        change: None,
                        new_attempt: None,
                        provider: unchanged_provider,
                        order: Some(StatusChange {
                            status: OrderStatus::Cancelled,
                            reason: Some(NOT_PAID_IN_TIME.to_owned()),
                        }),
                    })
                }
                // In flight, or failed but still open: the sweep closes it first.
                PaymentState::Pending | PaymentState::Failed => {
                    Err(Refused::Payment(match payment.current_ref() {
                        Some(pending) => Refusal::OutcomeUnknown { pending },
                        None => Refusal::NotCaptured,
                    }))
                }
                PaymentState::Paid | PaymentState::RefundPending => {
                    Err(Refused::Payment(Refusal::AlreadyPaid))
                }
                PaymentState::Refunded => Err(Refused::Payment(Refusal::AlreadyRefunded)),
            }
        }
    }
}

fn refuse_if_cancelled(status: OrderStatus) -> Result<(), Refused> {
    match status {
        OrderStatus::Cancelled => Err(Refused::OrderClosed(status)),
        _ => Ok(()),
    }
}

fn plain(change: Change, provider: Option<ProviderId>) -> Decision {
    Decision {
        change: Some(change),
        new_attempt: None,
        provider,
        order: None,
    }
}

fn with_order(change: Change, provider: Option<ProviderId>, status: OrderStatus) -> Decision {
    Decision {
        change: Some(change),
        new_attempt: None,
        provider,
        order: Some(StatusChange {
            status,
            reason: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use uuid::Uuid;
    use wendan_payments::{Amount, FollowUp, ProviderOutcome, Source};

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-12-03 12:00 UTC);

    fn plan() -> AttemptPlan {
        AttemptPlan {
            channel: Channel::AlipayWap,
            description: "Order 7".into(),
            lifetime: Duration::minutes(15),
        }
    }

    fn locked(order_status: OrderStatus, payment: Payment) -> Locked {
        Locked {
            order_status,
            payment,
            provider: None,
            attempt: None,
        }
    }

    fn unpaid() -> Payment {
        Payment::new(Uuid::from_u128(7), Amount::cny(7600))
    }

    /// Applies `update` to `locked` and returns the locked state after it.
    fn after(update: &PaymentUpdate, locked: &Locked) -> (Decision, Locked) {
        let decision = decide(update, locked, NOW).expect("accepted");
        let next = Locked {
            order_status: decision
                .order
                .as_ref()
                .map_or(locked.order_status, |change| change.status),
            payment: decision.payment(&locked.payment).clone(),
            provider: decision.provider,
            attempt: decision.new_attempt.clone().or(locked.attempt.clone()),
        };
        (decision, next)
    }

    fn paid_by(reference: wendan_payments::MerchantRef, source: Source) -> PaymentUpdate {
        PaymentUpdate::Observe(Observation {
            source,
            merchant_ref: reference,
            outcome: ProviderOutcome::Paid,
            amount: Some(Amount::cny(7600)),
            transaction_id: Some("2026120322001".into()),
        })
    }

    #[test]
    fn pay_first_an_order_goes_to_the_kitchen_in_the_commit_that_records_the_money() {
        let start = locked(OrderStatus::AwaitingPayment, unpaid());
        let (begun, pending) = after(&PaymentUpdate::Begin(plan()), &start);
        let attempt = begun.new_attempt.expect("a new attempt, written first");
        assert_eq!(attempt.expires_at, NOW + Duration::minutes(15));
        assert_eq!(pending.payment.state, PaymentState::Pending);
        assert_eq!(begun.order, None, "not to the kitchen before the money");

        let (again, _) = after(&PaymentUpdate::Begin(plan()), &pending);
        assert_eq!(again.new_attempt, None, "a resume: no second payment");
        assert_eq!(again.change, None);

        let notified = paid_by(attempt.merchant_ref, Source::Notification);
        let (paid, settled) = after(&notified, &pending);
        assert_eq!(
            paid.order.map(|change| change.status),
            Some(OrderStatus::Received)
        );
        assert_eq!(settled.payment.state, PaymentState::Paid);
        let queried = paid_by(attempt.merchant_ref, Source::Query);
        assert!(
            decide(&queried, &settled, NOW)
                .expect_err("the query repeats the notification")
                .is_harmless()
        );
    }

    #[test]
    fn money_that_arrives_for_a_cancelled_order_goes_back_at_once() {
        let start = locked(OrderStatus::AwaitingPayment, unpaid());
        let (begun, mut pending) = after(&PaymentUpdate::Begin(plan()), &start);
        let reference = begun.new_attempt.expect("attempt").merchant_ref;
        pending.order_status = OrderStatus::Cancelled;
        let decision =
            decide(&paid_by(reference, Source::Notification), &pending, NOW).expect("accepted");
        let change = decision.change.expect("changed");
        assert_eq!(change.before, PaymentState::Pending);
        assert_eq!(change.payment.state, PaymentState::RefundPending);
        assert!(matches!(change.follow_up, Some(FollowUp::Refund(_))));
        assert_eq!(decision.order, None, "a cancelled order stays cancelled");
    }

    #[test]
    fn a_cancelled_order_takes_no_payment_and_only_an_unpaid_one_expires() {
        let cancelled = locked(OrderStatus::Cancelled, unpaid());
        assert_eq!(
            decide(&PaymentUpdate::Begin(plan()), &cancelled, NOW),
            Err(Refused::OrderClosed(OrderStatus::Cancelled))
        );
        let waiting = locked(OrderStatus::AwaitingPayment, unpaid());
        let expired = decide(&PaymentUpdate::ExpireUnpaid, &waiting, NOW).expect("expires");
        assert_eq!(
            expired.order.map(|change| change.status),
            Some(OrderStatus::Cancelled)
        );
        let (_, pending) = after(&PaymentUpdate::Begin(plan()), &waiting);
        assert!(matches!(
            decide(&PaymentUpdate::ExpireUnpaid, &pending, NOW),
            Err(Refused::Payment(Refusal::OutcomeUnknown { .. }))
        ));
        let cooking = locked(OrderStatus::Received, unpaid());
        assert_eq!(
            decide(&PaymentUpdate::ExpireUnpaid, &cooking, NOW),
            Err(Refused::NotAwaitingPayment(OrderStatus::Received))
        );
    }

    #[test]
    fn the_counter_releases_a_pay_first_order_when_staff_settle_it() {
        let waiting = locked(OrderStatus::AwaitingPayment, unpaid());
        let (chosen, at_counter) = after(&PaymentUpdate::ChooseCounter, &waiting);
        assert_eq!(chosen.order, None);
        let settle = PaymentUpdate::SettleAtCounter {
            staff_ref: "kitchen".into(),
        };
        let (settled, paid) = after(&settle, &at_counter);
        assert_eq!(
            settled.order.map(|change| change.status),
            Some(OrderStatus::Received)
        );
        assert_eq!(paid.provider, Some(ProviderId::Counter));
        // Pay-later: the kitchen already has it; settling changes only the payment.
        let eaten = locked(OrderStatus::Completed, unpaid());
        let (later, _) = after(&settle, &eaten);
        assert_eq!(later.order, None);
    }

    #[test]
    fn refusals_are_named_for_the_log() {
        assert_eq!(
            Refused::Payment(Refusal::AmountMismatch {
                expected: 1,
                observed: 2
            })
            .kind(),
            "AmountMismatch"
        );
        assert_eq!(Refused::Payment(Refusal::AlreadyPaid).kind(), "AlreadyPaid");
    }
}
