//! Every payment the sandbox has seen, its captures, refunds and
//! notifications: the sandbox's own state, and what `GET /sandbox/ledger`
//! shows the chaos verifier.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Wechat,
    Alipay,
    Stripe,
}

impl Provider {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "wechat" => Some(Provider::Wechat),
            "alipay" => Some(Provider::Alipay),
            "stripe" => Some(Provider::Stripe),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Wechat => "wechat",
            Provider::Alipay => "alipay",
            Provider::Stripe => "stripe",
        }
    }
}

/// Where a sandbox payment stands, in the provider's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Created, waiting for the diner.
    Open,
    Paid,
    /// The last try was declined; it may still be paid (or closed).
    Failed,
    Closed,
    Refunded,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capture {
    pub transaction_id: String,
    pub amount: i64,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refund {
    /// The merchant's refund number (`out_refund_no`, `out_request_no`,
    /// the refund's metadata).
    pub refund_no: String,
    pub refund_id: String,
    pub amount: i64,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationLog {
    pub event: String,
    pub faults: String,
    pub attempts: u32,
    pub acknowledged: bool,
}

/// One provider payment.
#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    pub provider: Provider,
    /// The merchant's number (`out_trade_no`, Stripe `metadata[wendan_ref]`).
    pub merchant_ref: String,
    /// The provider's handle: `prepay_id`, Alipay's `out_trade_no`, the
    /// Checkout Session id.
    pub handle: String,
    pub amount: i64,
    pub currency: String,
    pub description: String,
    pub status: Status,
    /// WeChat `transaction_id`, Alipay `trade_no`, Stripe PaymentIntent id.
    pub transaction_id: Option<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    #[serde(skip)]
    pub notify_url: Option<String>,
    #[serde(skip)]
    pub return_url: Option<String>,
    #[serde(skip)]
    pub cancel_url: Option<String>,
    /// The create request, to tell a repeat from a conflicting reuse.
    #[serde(skip)]
    pub fingerprint: serde_json::Value,
    /// Provider fields echoed back (appid/mchid, Stripe metadata; WeChat's
    /// trade type and the JSAPI payer's `openid`).
    pub extra: serde_json::Value,
    pub captures: Vec<Capture>,
    pub refunds: Vec<Refund>,
    pub notifications: Vec<NotificationLog>,
    /// Times the wallet's "Pay" was tapped while already paid (never captured again).
    pub repeat_taps: u32,
}

#[derive(Debug, Default, Serialize)]
pub struct Ledger {
    pub payments: Vec<Payment>,
}

impl Ledger {
    pub fn by_handle(&mut self, provider: Provider, handle: &str) -> Option<&mut Payment> {
        self.payments
            .iter_mut()
            .find(|p| p.provider == provider && p.handle == handle)
    }

    pub fn by_ref(&mut self, provider: Provider, merchant_ref: &str) -> Option<&mut Payment> {
        self.payments
            .iter_mut()
            .find(|p| p.provider == provider && p.merchant_ref == merchant_ref)
    }

    pub fn by_transaction(
        &mut self,
        provider: Provider,
        transaction_id: &str,
    ) -> Option<&mut Payment> {
        self.payments
            .iter_mut()
            .find(|p| p.provider == provider && p.transaction_id.as_deref() == Some(transaction_id))
    }
}

impl Payment {
    /// Captures the payment (once): the wallet's "Pay".
    pub fn capture(&mut self, transaction_id: String, now: i64) -> bool {
        if matches!(self.status, Status::Open | Status::Failed) {
            self.status = Status::Paid;
            self.transaction_id = Some(transaction_id.clone());
            self.captures.push(Capture {
                transaction_id,
                amount: self.amount,
                at: now,
            });
            true
        } else {
            self.repeat_taps += 1;
            false
        }
    }

    /// The refund with this number, if it was already made.
    pub fn refund_numbered(&self, refund_no: &str) -> Option<&Refund> {
        self.refunds.iter().find(|r| r.refund_no == refund_no)
    }

    /// Records a full refund (once per number; a paid payment only).
    pub fn refund(&mut self, refund_no: &str, refund_id: String, now: i64) -> Option<Refund> {
        if self.status != Status::Paid {
            return None;
        }
        self.status = Status::Refunded;
        let refund = Refund {
            refund_no: refund_no.to_owned(),
            refund_id,
            amount: self.amount,
            at: now,
        };
        self.refunds.push(refund.clone());
        Some(refund)
    }
}

impl Payment {
    /// An open payment past its expiry closes, as the providers' do.
    pub fn expire_if_due(&mut self, now: i64) {
        if matches!(self.status, Status::Open | Status::Failed)
            && self.expires_at.is_some_and(|at| at <= now)
        {
            self.status = Status::Closed;
        }
    }
}
