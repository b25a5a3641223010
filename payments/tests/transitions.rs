//! Every transition and every refusal of the one payment transition, as
//! tables: (state before, event) → state after, or the refusal.

use uuid::Uuid;
use wendan_payments::{
    Amount, Begin, Capture, Currency, FollowUp, MerchantRef, Observation, Payment, PaymentState,
    ProviderOutcome, Refusal, Source,
};

const ORDER: Uuid = Uuid::from_u128(0x0196_0000_7a3e_7000_8000_0000_0000_0042);
const TOTAL: i64 = 8_800;

fn trade(attempt: u32) -> MerchantRef {
    MerchantRef::trade(ORDER, attempt).unwrap()
}

fn refund_of(attempt: u32) -> MerchantRef {
    MerchantRef::refund(ORDER, attempt).unwrap()
}

/// A payment in `state` at attempt `attempt`, captured by `capture`.
fn payment(state: PaymentState, attempt: u32, capture: Option<Capture>) -> Payment {
    Payment {
        order_id: ORDER,
        expected: Amount::cny(TOTAL),
        state,
        attempt,
        capture,
    }
}

fn captured_by(attempt: u32) -> Option<Capture> {
    Some(Capture::Provider {
        attempt,
        transaction_id: format!("4200000{attempt}"),
    })
}

fn counter_capture() -> Option<Capture> {
    Some(Capture::Counter {
        staff_ref: "kitchen-1".into(),
    })
}

fn seen(reference: MerchantRef, outcome: ProviderOutcome) -> Observation {
    Observation {
        source: Source::Notification,
        merchant_ref: reference,
        outcome,
        amount: Some(Amount::cny(TOTAL)),
        transaction_id: (outcome == ProviderOutcome::Paid)
            .then(|| format!("4200000{}", reference.attempt())),
    }
}

use PaymentState::*;
use ProviderOutcome as O;

#[test]
fn observations_move_the_state_as_the_providers_rules_say() {
    // (before, attempt, capture, observation) → after
    let accepted: Vec<(Payment, Observation, PaymentState)> = vec![
        (payment(Pending, 1, None), seen(trade(1), O::Paid), Paid),
        (payment(Pending, 1, None), seen(trade(1), O::Failed), Failed),
        (payment(Pending, 1, None), seen(trade(1), O::Closed), Closed),
        (payment(Failed, 1, None), seen(trade(1), O::Closed), Closed),
        // Stripe Checkout lets the diner retry a card inside the same
        // session: a capture after a failure is still a capture.
        (payment(Failed, 1, None), seen(trade(1), O::Paid), Paid),
        // A close that raced the payment: the provider's word on money wins.
        (payment(Closed, 1, None), seen(trade(1), O::Paid), Paid),
        (payment(Counter, 1, None), seen(trade(1), O::Paid), Paid),
        // The old attempt was paid after all while a new one is in flight.
        (payment(Pending, 2, None), seen(trade(1), O::Paid), Paid),
        (
            payment(Paid, 1, captured_by(1)),
            seen(trade(1), O::Refunded),
            Refunded,
        ),
        (
            payment(Paid, 1, captured_by(1)),
            seen(refund_of(1), O::Refunded),
            Refunded,
        ),
        (
            payment(RefundPending, 1, captured_by(1)),
            seen(refund_of(1), O::Refunded),
            Refunded,
        ),
        (
            payment(RefundPending, 1, captured_by(1)),
            seen(refund_of(1), O::RefundFailed),
            Paid,
        ),
    ];
    for (before, observation, after) in accepted {
        let change = before
            .observe(&observation)
            .unwrap_or_else(|refusal| panic!("{before:?} + {observation:?}: {refusal}"));
        assert_eq!(change.payment.state, after, "{before:?} + {observation:?}");
        assert_eq!(change.before, before.state);
        assert_eq!(
            change.payment.attempt, before.attempt,
            "attempts never move on observation"
        );
    }
}

#[test]
fn repeats_late_news_and_backward_steps_change_nothing() {
    let cases: Vec<(Payment, Observation, Refusal)> = vec![
        // The same notification twice.
        (
            payment(Paid, 1, captured_by(1)),
            seen(trade(1), O::Paid),
            Refusal::NoChange { state: Paid },
        ),
        (
            payment(Pending, 1, None),
            seen(trade(1), O::NotPaid),
            Refusal::NoChange { state: Pending },
        ),
        (
            payment(Pending, 1, None),
            seen(trade(1), O::Paying),
            Refusal::NoChange { state: Pending },
        ),
        (
            payment(Failed, 1, None),
            seen(trade(1), O::Failed),
            Refusal::NoChange { state: Failed },
        ),
        (
            payment(Closed, 1, None),
            seen(trade(1), O::Closed),
            Refusal::NoChange { state: Closed },
        ),
        (
            payment(Refunded, 1, captured_by(1)),
            seen(refund_of(1), O::Refunded),
            Refusal::NoChange { state: Refunded },
        ),
        (
            payment(Paid, 1, captured_by(1)),
            seen(refund_of(1), O::RefundFailed),
            Refusal::NoChange { state: Paid },
        ),
        // A query's NOTPAY that left before the capture, answered after it.
        (
            payment(Paid, 1, captured_by(1)),
            seen(trade(1), O::NotPaid),
            Refusal::Backwards {
                state: Paid,
                outcome: O::NotPaid,
            },
        ),
        (
            payment(Refunded, 1, captured_by(1)),
            seen(trade(1), O::Paid),
            Refusal::NoChange { state: Refunded },
        ),
        (
            payment(Closed, 1, None),
            seen(trade(1), O::NotPaid),
            Refusal::Backwards {
                state: Closed,
                outcome: O::NotPaid,
            },
        ),
        (
            payment(Failed, 1, None),
            seen(trade(1), O::Paying),
            Refusal::Backwards {
                state: Failed,
                outcome: O::Paying,
            },
        ),
        (
            payment(Refunded, 1, captured_by(1)),
            seen(refund_of(1), O::RefundFailed),
            Refusal::Backwards {
                state: Refunded,
                outcome: O::RefundFailed,
            },
        ),
        // News about an attempt that is no longer the one that counts.
        (
            payment(Pending, 2, None),
            seen(trade(1), O::Closed),
            Refusal::Stale { attempt: 1 },
        ),
        (
            payment(Paid, 2, captured_by(1)),
            seen(trade(2), O::Closed),
            Refusal::Stale { attempt: 2 },
        ),
        (
            payment(Paid, 1, counter_capture()),
            seen(trade(1), O::Closed),
            Refusal::Stale { attempt: 1 },
        ),
        (
            payment(Paid, 2, captured_by(2)),
            seen(refund_of(1), O::Refunded),
            Refusal::Stale { attempt: 1 },
        ),
    ];
    for (before, observation, expected) in cases {
        let refusal = before.observe(&observation).unwrap_err();
        assert_eq!(refusal, expected, "{before:?} + {observation:?}");
        assert!(refusal.is_harmless(), "{refusal}");
    }
}

#[test]
fn forged_or_mismatched_observations_are_refused_and_not_harmless() {
    let pending = payment(Pending, 1, None);
    let mut wrong_amount = seen(trade(1), O::Paid);
    wrong_amount.amount = Some(Amount::cny(1));
    let mut wrong_currency = seen(trade(1), O::Paid);
    wrong_currency.amount = Some(Amount::new(TOTAL, Currency::new("USD").unwrap()));
    let mut no_amount = seen(trade(1), O::Paid);
    no_amount.amount = None;
    let mut no_transaction = seen(trade(1), O::Paid);
    no_transaction.transaction_id = Some(String::new());
    let other_order = seen(MerchantRef::trade(Uuid::from_u128(9), 1).unwrap(), O::Paid);
    let future_attempt = seen(trade(2), O::Paid);
    let mut wrong_amount_refund = seen(refund_of(1), O::Refunded);
    wrong_amount_refund.amount = Some(Amount::cny(TOTAL - 1));

    let cases: Vec<(Payment, Observation, Refusal)> = vec![
        (
            pending.clone(),
            wrong_amount,
            Refusal::AmountMismatch {
                expected: TOTAL,
                observed: 1,
            },
        ),
        (
            pending.clone(),
            wrong_currency,
            Refusal::CurrencyMismatch {
                expected: Currency::cny(),
                observed: Currency::new("USD").unwrap(),
            },
        ),
        (pending.clone(), no_amount, Refusal::MissingAmount),
        (
            pending.clone(),
            no_transaction,
            Refusal::MissingTransactionId,
        ),
        (
            pending.clone(),
            other_order,
            Refusal::OtherOrder {
                observed: Uuid::from_u128(9),
            },
        ),
        (
            pending.clone(),
            future_attempt,
            Refusal::UnknownAttempt {
                observed: 2,
                current: 1,
            },
        ),
        (
            payment(Unpaid, 0, None),
            seen(trade(1), O::Paid),
            Refusal::UnknownAttempt {
                observed: 1,
                current: 0,
            },
        ),
        (
            payment(RefundPending, 1, captured_by(1)),
            wrong_amount_refund,
            Refusal::AmountMismatch {
                expected: TOTAL,
                observed: TOTAL - 1,
            },
        ),
        (
            payment(Paid, 1, captured_by(1)),
            Observation {
                transaction_id: Some("another".into()),
                ..seen(trade(1), O::Paid)
            },
            Refusal::TransactionMismatch {
                kept: "42000001".into(),
                observed: "another".into(),
            },
        ),
    ];
    for (before, observation, expected) in cases {
        let refusal = before.observe(&observation).unwrap_err();
        assert_eq!(refusal, expected, "{before:?} + {observation:?}");
        assert!(!refusal.is_harmless(), "{refusal} must be logged");
    }
}

#[test]
fn a_second_capture_is_named_with_the_refund_that_gives_it_back() {
    let cases = [
        (payment(Paid, 2, captured_by(1)), 2),
        (payment(RefundPending, 2, captured_by(2)), 1),
        (payment(Paid, 1, counter_capture()), 1),
    ];
    for (before, second) in cases {
        let refusal = before.observe(&seen(trade(second), O::Paid)).unwrap_err();
        assert_eq!(
            refusal,
            Refusal::CapturedTwice {
                transaction_id: format!("4200000{second}"),
                refund: refund_of(second),
            }
        );
        assert!(!refusal.is_harmless());
    }
}

#[test]
fn a_capture_of_an_old_attempt_closes_the_one_in_flight() {
    let change = payment(Pending, 2, None)
        .observe(&seen(trade(1), O::Paid))
        .unwrap();
    assert_eq!(change.follow_up, Some(FollowUp::Close(trade(2))));
    assert!(change.newly_captured());
    assert_eq!(change.payment.transaction_reference(), Some("42000001"));
    assert_eq!(change.payment.refund_ref(), Some(refund_of(1)));
    // The current attempt's own capture needs nothing closed.
    let own = payment(Pending, 1, None)
        .observe(&seen(trade(1), O::Paid))
        .unwrap();
    assert_eq!(own.follow_up, None);
}

#[test]
fn pay_starts_an_attempt_resumes_the_one_in_flight_and_never_makes_a_second() {
    // (before, attempt, capture) → Ok(plan, attempt after) or refusal
    let starts = [
        (Unpaid, 0, 1),
        (Closed, 1, 2),
        (Closed, 41, 42),
        (Counter, 0, 1),
    ];
    for (state, attempt, next) in starts {
        let (after, plan) = payment(state, attempt, None).begin().unwrap();
        assert_eq!(plan, Begin::Create(trade(next)), "{state}");
        assert_eq!((after.state, after.attempt), (Pending, next));
    }

    let pending = payment(Pending, 3, None);
    let (after, plan) = pending.begin().unwrap();
    assert_eq!(plan, Begin::Resume(trade(3)));
    assert_eq!(after, pending, "resuming changes nothing");
    // Five taps are five resumes of the same attempt.
    for _ in 0..5 {
        assert_eq!(after.begin().unwrap().1.merchant_ref(), trade(3));
    }

    let refused = [
        (
            payment(Failed, 1, None),
            Refusal::MustCloseFirst { close: trade(1) },
        ),
        (payment(Paid, 1, captured_by(1)), Refusal::AlreadyPaid),
        (payment(Paid, 0, counter_capture()), Refusal::AlreadyPaid),
        (
            payment(RefundPending, 1, captured_by(1)),
            Refusal::AlreadyPaid,
        ),
        (
            payment(Refunded, 1, captured_by(1)),
            Refusal::AlreadyRefunded,
        ),
        (payment(Closed, 999, None), Refusal::TooManyAttempts),
    ];
    for (before, expected) in refused {
        assert_eq!(before.begin().unwrap_err(), expected, "{before:?}");
    }
}

#[test]
fn a_failed_attempt_is_retried_only_after_it_was_closed() {
    let failed = payment(Pending, 1, None)
        .observe(&seen(trade(1), O::Failed))
        .unwrap()
        .payment;
    assert_eq!(failed.needs_close(), Some(trade(1)));
    assert!(failed.begin().is_err());
    let closed = failed
        .observe(&Observation {
            source: Source::CloseAnswer,
            ..seen(trade(1), O::Closed)
        })
        .unwrap()
        .payment;
    assert_eq!(closed.needs_close(), None);
    let (retry, plan) = closed.begin().unwrap();
    assert_eq!(plan, Begin::Create(trade(2)));
    assert_eq!(retry.state, Pending);
}

#[test]
fn the_counter_is_chosen_and_settled_only_when_no_online_payment_is_in_flight() {
    let choose: Vec<(Payment, Result<PaymentState, Refusal>)> = vec![
        (payment(Unpaid, 0, None), Ok(Counter)),
        (payment(Closed, 1, None), Ok(Counter)),
        (
            payment(Counter, 0, None),
            Err(Refusal::NoChange { state: Counter }),
        ),
        (
            payment(Pending, 1, None),
            Err(Refusal::OutcomeUnknown { pending: trade(1) }),
        ),
        (
            payment(Failed, 1, None),
            Err(Refusal::MustCloseFirst { close: trade(1) }),
        ),
        (payment(Paid, 1, captured_by(1)), Err(Refusal::AlreadyPaid)),
        (
            payment(Refunded, 1, captured_by(1)),
            Err(Refusal::AlreadyRefunded),
        ),
    ];
    for (before, expected) in choose {
        let got = before.choose_counter().map(|change| change.payment.state);
        assert_eq!(got, expected, "choose counter from {before:?}");
    }

    let settle: Vec<(Payment, Result<PaymentState, Refusal>)> = vec![
        (payment(Counter, 0, None), Ok(Paid)),
        (payment(Unpaid, 0, None), Ok(Paid)),
        (payment(Closed, 2, None), Ok(Paid)),
        (
            payment(Paid, 0, counter_capture()),
            Err(Refusal::NoChange { state: Paid }),
        ),
        (
            payment(Pending, 1, None),
            Err(Refusal::OutcomeUnknown { pending: trade(1) }),
        ),
        (
            payment(Failed, 1, None),
            Err(Refusal::MustCloseFirst { close: trade(1) }),
        ),
        (payment(Paid, 1, captured_by(1)), Err(Refusal::AlreadyPaid)),
    ];
    for (before, expected) in settle {
        let got = before.settle_at_counter("kitchen-1");
        assert_eq!(
            got.as_ref().map(|change| change.payment.state),
            expected.as_ref().map(|state| *state),
            "settle from {before:?}"
        );
        if let Ok(change) = got {
            assert!(change.newly_captured());
            assert_eq!(change.payment.transaction_reference(), Some("counter"));
        }
    }
}

#[test]
fn a_refund_has_its_own_number_and_happens_once() {
    let paid = payment(Paid, 2, captured_by(2));
    let change = paid.refund().unwrap();
    assert_eq!(change.payment.state, RefundPending);
    assert_eq!(change.follow_up, Some(FollowUp::Refund(refund_of(2))));
    // Asking again is the same refund, never a second one.
    let again = change.payment.refund().unwrap_err();
    assert_eq!(
        again,
        Refusal::NoChange {
            state: RefundPending
        }
    );
    assert_eq!(change.payment.refund_ref(), Some(refund_of(2)));
    // A refund the provider could not make keeps its number for the retry.
    let failed = change
        .payment
        .observe(&seen(refund_of(2), O::RefundFailed))
        .unwrap()
        .payment;
    assert_eq!(failed.state, Paid);
    assert_eq!(
        failed.refund().unwrap().follow_up,
        Some(FollowUp::Refund(refund_of(2)))
    );

    // Cash goes back over the counter at once.
    let counter = payment(Paid, 0, counter_capture()).refund().unwrap();
    assert_eq!((counter.payment.state, counter.follow_up), (Refunded, None));

    for state in [Unpaid, Pending, Failed, Closed, Counter] {
        assert_eq!(
            payment(state, 1, None).refund().unwrap_err(),
            Refusal::NotCaptured,
            "{state}"
        );
    }
    assert_eq!(
        payment(Refunded, 1, captured_by(1)).refund().unwrap_err(),
        Refusal::NoChange { state: Refunded }
    );
}

#[test]
fn every_state_is_stored_and_read_back_through_json() {
    let record = payment(RefundPending, 3, captured_by(2));
    let json = serde_json::to_string(&record).unwrap();
    assert!(json.contains("\"state\":\"refund_pending\""), "{json}");
    assert_eq!(serde_json::from_str::<Payment>(&json).unwrap(), record);
}
