//! What a source of truth says about a provider payment, in one shape for
//! every provider: each codec maps its own words (`trade_state`,
//! `trade_status`, Stripe events) to a [`ProviderOutcome`].

use crate::{Amount, MerchantRef};

/// The provider's word on one payment attempt or refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderOutcome {
    /// Created, not paid (WeChat `NOTPAY`, Alipay `WAIT_BUYER_PAY`, Stripe
    /// `open` / `requires_payment_method`).
    NotPaid,
    /// The diner is in the middle of paying (WeChat `USERPAYING`, Stripe
    /// `processing`).
    Paying,
    /// Captured (WeChat `SUCCESS`, Alipay `TRADE_SUCCESS`/`TRADE_FINISHED`,
    /// Stripe `succeeded` / session `paid`).
    Paid,
    /// This attempt failed (WeChat `PAYERROR`, Stripe `payment_failed`).
    Failed,
    /// Closed, cancelled or expired: it can never be paid (WeChat `CLOSED` /
    /// `REVOKED`, Alipay `TRADE_CLOSED` without a refund, Stripe `expired` /
    /// `canceled`).
    Closed,
    /// The capture went back (WeChat `REFUND` / refund `SUCCESS`, Alipay
    /// refund with `fund_change=Y`, Stripe `charge.refunded`).
    Refunded,
    /// A refund did not go through (WeChat refund `CLOSED`/`ABNORMAL`).
    RefundFailed,
}

/// Which source of truth the observation came from: all of them go through
/// the same transition; the source is kept for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The provider's signed notification (webhook), verified.
    Notification,
    /// The server's own query (after silence, on the diner's return, or in
    /// reconciliation).
    Query,
    /// The answer to the server's close (关单) or cancel call.
    CloseAnswer,
    /// The answer to the server's refund call.
    RefundAnswer,
}

/// One verified statement about one attempt (or refund) of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub source: Source,
    /// Which attempt or refund it is about, read back from the provider's echo
    /// of our number.
    pub merchant_ref: MerchantRef,
    pub outcome: ProviderOutcome,
    /// The amount the provider reports, when it reports one. Required for
    /// [`ProviderOutcome::Paid`].
    pub amount: Option<Amount>,
    /// The provider's own reference (WeChat `transaction_id`, Alipay
    /// `trade_no`, Stripe PaymentIntent id). Required for `Paid`.
    pub transaction_id: Option<String>,
}
