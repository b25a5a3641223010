//! The cashier: takes orders' payments through the providers and the store.
//! Every source of truth — the provider's notification, the server's own
//! query, the diner's return, staff at the counter, the kitchen's cancel —
//! becomes one `PaymentUpdate` through `PaymentStore::apply_payment`; what
//! that decides for the provider (close an attempt, refund a capture) the
//! cashier then does, and puts the provider's answer through the same door.
//!
//! A provider call may fail before, during or after the provider acts. The
//! attempt is written before it is created, so a crash or a timeout leaves
//! a pending attempt that [`Cashier::sweep`] asks about (and closes at
//! expiry), never a forgotten one; a refund keeps its number, so the sweep
//! asks for it again until the provider confirms it.

use std::sync::Arc;

use axum::http::HeaderMap;
use axum::response::Response;
use time::{Duration, OffsetDateTime};
use wendan_payments::{FollowUp, NextCheck, Observation, PaymentState, QuerySchedule, Refusal};
use wendan_protocol::OrderStatus;

use crate::payments::transition::{AttemptPlan, PaymentUpdate, Refused};
use crate::payments::{
    CaptureRefund, Channel, Handoff, PaymentProvider, PaymentProviders, ProviderError, ProviderId,
};
use crate::storage::payments::{Applied, StoredAttempt, StoredPayment};
use crate::storage::{OrderStore, PaymentStore, Storage, StorageError};

/// Why "Pay" (or a staff step) did not go ahead.
#[derive(Debug, thiserror::Error)]
pub enum CashierError {
    #[error("no such order")]
    NotFound,
    #[error(transparent)]
    Refused(Refused),
    #[error("{0} is not set up for this restaurant")]
    ProviderNotEnabled(ProviderId),
    /// The provider did not create (or confirm) the payment. When
    /// `outcome_unknown` it may have: the attempt stays pending and "Pay"
    /// again resumes it.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Storage(StorageError),
}

impl From<StorageError> for CashierError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::NotFound(_) => CashierError::NotFound,
            other => CashierError::Storage(other),
        }
    }
}

/// What "Pay" gives the diner's page.
#[derive(Debug)]
pub struct Started {
    pub payment: StoredPayment,
    pub handoff: Handoff,
}

/// What one sweep did, for logs and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub queried: usize,
    pub closed: usize,
    pub refunds_asked: usize,
    pub orders_expired: usize,
    pub failures: usize,
}

/// What reconciliation does with an attempt the diner could still pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenAttempts {
    /// Leave it open until its expiry (during service).
    Keep,
    /// Close it now (关单, Stripe's session expiry): the restaurant is
    /// closing its day. A payment made meanwhile is found by the close's
    /// answer, never lost. (An Alipay cashier link the diner never opened
    /// does not exist at Alipay yet, so it stays open until its expiry.)
    Close,
}

/// What `wendan-server reconcile --day` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reconciled {
    /// Payments of the day's orders that were not settled.
    pub examined: usize,
    /// Those whose state the provider's answer moved: order, before, after.
    pub repaired: Vec<(String, PaymentState, PaymentState)>,
    /// Still unknown (the provider did not answer, or the outcome is not
    /// final yet): run it again later.
    pub unknown: Vec<String>,
}

pub struct Cashier {
    providers: Arc<PaymentProviders>,
    storage: Storage,
    schedule: QuerySchedule,
    /// How long an order may await payment before it is cancelled: longer
    /// than any attempt's lifetime, so an attempt is closed first.
    unpaid_window: Duration,
}

impl Cashier {
    pub fn new(providers: Arc<PaymentProviders>, storage: Storage) -> Self {
        let longest = ProviderId::ALL
            .into_iter()
            .filter_map(|id| providers.get(id))
            .map(|provider| providers.lifetime(provider.as_ref()))
            .max()
            .unwrap_or(Duration::ZERO);
        Cashier {
            providers,
            storage,
            schedule: QuerySchedule::default(),
            unpaid_window: longest + Duration::minutes(5),
        }
    }

    /// Other knobs (tests run the schedule in seconds).
    pub fn with_timing(mut self, schedule: QuerySchedule, unpaid_window: Duration) -> Self {
        self.schedule = schedule;
        self.unpaid_window = unpaid_window;
        self
    }

    pub fn providers(&self) -> &PaymentProviders {
        &self.providers
    }

    /// "Pay" on `channel`: starts the order's attempt, or resumes the one in
    /// flight (whatever channel it was started on: never a second payment),
    /// or, after a failed attempt, closes it at the provider and starts the
    /// next. `description` is the line on the provider's page.
    pub async fn pay(
        &self,
        order_id: &str,
        channel: Channel,
        description: String,
        now: OffsetDateTime,
    ) -> Result<Started, CashierError> {
        let provider = self
            .providers
            .for_channel(&channel)
            .ok_or(CashierError::ProviderNotEnabled(channel.provider()))?;
        if channel == Channel::Counter {
            let applied = self
                .apply(order_id, PaymentUpdate::ChooseCounter, now)
                .await?;
            return Ok(Started {
                payment: already_or_now(applied)?,
                handoff: Handoff::Counter,
            });
        }
        let plan = AttemptPlan {
            channel,
            description,
            lifetime: self.providers.lifetime(provider.as_ref()),
        };
        let mut applied = self
            .apply(order_id, PaymentUpdate::Begin(plan.clone()), now)
            .await?;
        if let Err(Refused::Payment(Refusal::MustCloseFirst { .. })) = applied.outcome {
            self.close_current(&applied.payment, now).await?;
            applied = self
                .apply(order_id, PaymentUpdate::Begin(plan), now)
                .await?;
        }
        applied.outcome.map_err(CashierError::Refused)?;
        let current = applied
            .payment
            .current
            .clone()
            .ok_or_else(|| corrupt(order_id, "a payment begun without an attempt"))?;
        let provider = self.provider_of(&current)?;
        let created = provider.create(&current.attempt, now).await?;
        if let Some(handle) = created.handle
            && current.attempt.handle.as_ref() != Some(&handle)
        {
            self.storage
                .set_attempt_handle(current.attempt.merchant_ref, handle)
                .await?;
        }
        Ok(Started {
            payment: applied.payment,
            handoff: created.handoff,
        })
    }

    /// The diner came back (or is waiting): while the outcome is unknown,
    /// ask the provider now rather than wait for the schedule.
    pub async fn check(
        &self,
        order_id: &str,
        now: OffsetDateTime,
    ) -> Result<Option<StoredPayment>, CashierError> {
        let Some(stored) = self.storage.payment(order_id).await? else {
            return Ok(None);
        };
        if stored.payment.state != PaymentState::Pending {
            return Ok(Some(stored));
        }
        let Some(current) = &stored.current else {
            return Ok(Some(stored));
        };
        match self.query(current, now).await {
            Ok(()) => Ok(self.storage.payment(order_id).await?),
            // The provider is unreachable: the state stays "checking".
            Err(CashierError::Provider(error)) => {
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    order_id,
                    "payment query on the diner's return failed"
                );
                Ok(Some(stored))
            }
            Err(other) => Err(other),
        }
    }

    /// A provider's notification: verified, then through the one door. The
    /// answer tells the provider to stop resending (handled, or a repeat) or
    /// to send again (unverified, or not recorded).
    pub async fn notified(
        &self,
        provider_id: ProviderId,
        headers: &HeaderMap,
        body: &[u8],
        now: OffsetDateTime,
    ) -> Result<Response, ProviderId> {
        let Some(provider) = self.providers.get(provider_id) else {
            return Err(provider_id);
        };
        let observation = match provider.verify_notification(headers, body, now) {
            Ok(Some(observation)) => observation,
            Ok(None) => return Ok(provider.acknowledgement()),
            Err(error) => {
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    provider = %provider_id,
                    "a payment notification did not verify: refused, nothing changed"
                );
                return Ok(provider.rejection());
            }
        };
        let order_id = observation.merchant_ref.order_id().simple().to_string();
        match self.observe(provider, &order_id, observation, now).await {
            Ok(()) | Err(CashierError::Refused(_)) | Err(CashierError::Provider(_)) => {
                Ok(provider.acknowledgement())
            }
            Err(CashierError::NotFound) => {
                tracing::warn!(order_id, provider = %provider_id, "a verified notification names no order of ours");
                Ok(provider.acknowledgement())
            }
            Err(error) => {
                tracing::error!(
                    error = &error as &dyn std::error::Error,
                    "cannot record a payment notification: the provider will send it again"
                );
                Ok(provider.rejection())
            }
        }
    }

    /// Staff took the money at the counter (from the kitchen or a cashier view).
    pub async fn settle_at_counter(
        &self,
        order_id: &str,
        staff_ref: &str,
        now: OffsetDateTime,
    ) -> Result<StoredPayment, CashierError> {
        let update = PaymentUpdate::SettleAtCounter {
            staff_ref: staff_ref.to_owned(),
        };
        already_or_now(self.apply(order_id, update, now).await?)
    }

    /// The kitchen cancelled `order_id`: give back what it paid, once. An
    /// unpaid order has nothing to give back.
    pub async fn refund_cancelled(
        &self,
        order_id: &str,
        now: OffsetDateTime,
    ) -> Result<(), CashierError> {
        let Some(stored) = self.storage.payment(order_id).await? else {
            return Ok(());
        };
        if !stored.payment.state.is_captured() {
            return Ok(());
        }
        let applied = self.apply(order_id, PaymentUpdate::Refund, now).await?;
        self.follow_up(&applied, now).await
    }

    /// One pass over everything unsettled: ask about silent attempts on the
    /// query schedule, close expired or failed ones, ask again for refunds
    /// not yet confirmed, refund money kept for cancelled orders, and cancel
    /// orders that waited too long unpaid.
    pub async fn sweep(&self, now: OffsetDateTime) -> Result<Swept, StorageError> {
        let mut swept = Swept::default();
        for unsettled in self.storage.unsettled_payments().await? {
            let stored = &unsettled.payment;
            let order_id = stored.payment.order_id.simple().to_string();
            let step = match (stored.payment.state, &stored.current) {
                // Past its expiry an attempt is closed whatever the query
                // count (after an outage the schedule would otherwise
                // replay every missed query first); the close answers a
                // capture too.
                (PaymentState::Pending, Some(current)) if now >= current.attempt.expires_at => {
                    swept.closed += 1;
                    self.close_current(stored, now).await
                }
                (PaymentState::Pending, Some(current)) => {
                    match self.schedule.next(
                        current.started_at,
                        current.attempt.expires_at,
                        current.queries_done,
                    ) {
                        NextCheck::QueryAt(at) if at <= now => {
                            swept.queried += 1;
                            self.query(current, now).await
                        }
                        NextCheck::CloseAt(at) if at <= now => {
                            swept.closed += 1;
                            self.close_current(stored, now).await
                        }
                        _ => Ok(()),
                    }
                }
                (PaymentState::Failed, Some(_)) => {
                    swept.closed += 1;
                    self.close_current(stored, now).await
                }
                (PaymentState::RefundPending, _) => {
                    swept.refunds_asked += 1;
                    self.ask_refund(stored, now).await
                }
                (PaymentState::Paid, _) if unsettled.order_status == OrderStatus::Cancelled => {
                    swept.refunds_asked += 1;
                    self.refund_cancelled(&order_id, now).await
                }
                _ => Ok(()),
            };
            if let Err(error) = step {
                swept.failures += 1;
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    order_id,
                    "a payment follow-up failed; the next sweep tries again"
                );
            }
        }
        for order_id in self.storage.unpaid_orders(now - self.unpaid_window).await? {
            match self
                .apply(&order_id, PaymentUpdate::ExpireUnpaid, now)
                .await
            {
                Ok(applied) if applied.outcome.is_ok() => swept.orders_expired += 1,
                Ok(_) => {}
                Err(error) => {
                    swept.failures += 1;
                    tracing::warn!(
                        error = &error as &dyn std::error::Error,
                        order_id,
                        "cannot expire an unpaid order"
                    );
                }
            }
        }
        Ok(swept)
    }

    /// Asks the provider, now and whatever the query schedule says, about
    /// every unsettled payment of the orders received in `[from, to)` (a
    /// trading day), and repairs the database through the one transition:
    /// a capture nobody told the server about goes to the kitchen, a failed
    /// or expired attempt is closed, an unconfirmed refund is asked again,
    /// money kept for a cancelled order is given back.
    ///
    /// An attempt still open within its lifetime is left open (the diner
    /// may still pay) unless `open` is [`OpenAttempts::Close`]: the
    /// restaurant closing its day.
    pub async fn reconcile(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        now: OffsetDateTime,
        open: OpenAttempts,
    ) -> Result<Reconciled, StorageError> {
        let mut report = Reconciled::default();
        for unsettled in self.storage.unsettled_payments().await? {
            let stored = &unsettled.payment;
            let order_id = stored.payment.order_id.simple().to_string();
            let received = self.storage.order(&order_id).await?.map(|o| o.received_at);
            if !received.is_some_and(|at| from <= at && at < to) {
                continue;
            }
            report.examined += 1;
            let before = stored.payment.state;
            let step = match (before, &stored.current) {
                (PaymentState::Pending, Some(current)) => {
                    let queried = self.query(current, now).await;
                    // Still unknown past its expiry (or the day is being
                    // closed): closed, which also answers a capture the
                    // query missed.
                    match self.storage.payment(&order_id).await? {
                        Some(fresh)
                            if fresh.payment.state == PaymentState::Pending
                                && fresh.current.as_ref().is_some_and(|c| {
                                    open == OpenAttempts::Close || now >= c.attempt.expires_at
                                }) =>
                        {
                            self.close_current(&fresh, now).await
                        }
                        _ => queried,
                    }
                }
                (PaymentState::Failed, Some(_)) => self.close_current(stored, now).await,
                (PaymentState::RefundPending, _) => self.ask_refund(stored, now).await,
                (PaymentState::Paid, _) if unsettled.order_status == OrderStatus::Cancelled => {
                    self.refund_cancelled(&order_id, now).await
                }
                _ => Ok(()),
            };
            if let Err(error) = step {
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    order_id,
                    "reconciliation could not settle a payment"
                );
            }
            let after = self
                .storage
                .payment(&order_id)
                .await?
                .map_or(before, |now| now.payment.state);
            if after != before {
                report.repaired.push((order_id.clone(), before, after));
            }
            if matches!(
                after,
                PaymentState::Pending | PaymentState::Failed | PaymentState::RefundPending
            ) {
                report.unknown.push(order_id);
            }
        }
        Ok(report)
    }

    /// Sweeps every `interval` until the server stops.
    pub async fn sweep_periodically(
        self: Arc<Self>,
        interval: std::time::Duration,
        mut stopping: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = stopping.changed() => return,
            }
            if let Err(error) = self.sweep(OffsetDateTime::now_utc()).await {
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    "the payment sweep could not read the database"
                );
            }
        }
    }

    /// A verified observation through the one door, then whatever it asks of
    /// the provider.
    async fn observe(
        &self,
        provider: &Arc<dyn PaymentProvider>,
        order_id: &str,
        observation: Observation,
        now: OffsetDateTime,
    ) -> Result<(), CashierError> {
        let applied = self
            .apply(order_id, PaymentUpdate::Observe(observation.clone()), now)
            .await?;
        match &applied.outcome {
            Err(Refused::Payment(Refusal::CapturedTwice { .. })) => {
                // Money taken a second time for a paid order: give it back.
                match CaptureRefund::of_second_capture(&observation, "paid twice / 重复支付") {
                    Some(refund) => {
                        let answer = provider.refund(&refund, now).await?;
                        tracing::warn!(order_id, "a second capture was refunded");
                        // About another capture than the kept one: recorded, changes nothing.
                        self.record_answer(order_id, answer, now).await
                    }
                    None => Ok(()),
                }
            }
            Err(refused) if refused.is_harmless() => Ok(()),
            Err(refused) => {
                tracing::warn!(order_id, %refused, "a payment observation was refused: nothing changed");
                Err(CashierError::Refused(refused.clone()))
            }
            Ok(_) => self.follow_up(&applied, now).await,
        }
    }

    /// Does what an accepted change asks of the provider.
    async fn follow_up(&self, applied: &Applied, now: OffsetDateTime) -> Result<(), CashierError> {
        let Ok(decision) = &applied.outcome else {
            return Ok(());
        };
        match decision
            .change
            .as_ref()
            .and_then(|change| change.follow_up.as_ref())
        {
            Some(FollowUp::Close(_)) => self.close_current(&applied.payment, now).await,
            Some(FollowUp::Refund(_)) => self.ask_refund(&applied.payment, now).await,
            None => Ok(()),
        }
    }

    async fn query(
        &self,
        current: &StoredAttempt,
        now: OffsetDateTime,
    ) -> Result<(), CashierError> {
        let provider = self.provider_of(current)?;
        let reference = current.attempt.merchant_ref;
        let answer = provider.query(&current.attempt, now).await;
        self.storage.count_query(reference).await?;
        match answer? {
            Some(observation) => {
                let order_id = reference.order_id().simple().to_string();
                self.observe(provider, &order_id, observation, now).await
            }
            None => Ok(()),
        }
    }

    /// Closes (关单) the payment's current attempt and records the answer.
    async fn close_current(
        &self,
        stored: &StoredPayment,
        now: OffsetDateTime,
    ) -> Result<(), CashierError> {
        let Some(current) = &stored.current else {
            return Ok(());
        };
        let provider = self.provider_of(current)?;
        let order_id = stored.payment.order_id.simple().to_string();
        let answer = provider.close(&current.attempt, now).await?;
        self.record_answer(&order_id, answer, now).await
    }

    /// Asks for the refund of the payment's capture (same number every time).
    async fn ask_refund(
        &self,
        stored: &StoredPayment,
        now: OffsetDateTime,
    ) -> Result<(), CashierError> {
        let Some(refund) = CaptureRefund::of_payment(&stored.payment, "cancelled / 已取消")
        else {
            return Ok(());
        };
        let provider = self.provider_by_id(stored.provider)?;
        let order_id = stored.payment.order_id.simple().to_string();
        let answer = provider.refund(&refund, now).await?;
        self.record_answer(&order_id, answer, now).await
    }

    /// Records the answer to a close or refund call. What it asks in turn
    /// (a capture that raced the close, for an order since cancelled) is
    /// left to the next sweep, which finds it unsettled.
    async fn record_answer(
        &self,
        order_id: &str,
        answer: Option<Observation>,
        now: OffsetDateTime,
    ) -> Result<(), CashierError> {
        if let Some(answer) = answer {
            self.apply(order_id, PaymentUpdate::Observe(answer), now)
                .await?;
        }
        Ok(())
    }

    async fn apply(
        &self,
        order_id: &str,
        update: PaymentUpdate,
        now: OffsetDateTime,
    ) -> Result<Applied, CashierError> {
        let source = update.source();
        let applied = self.storage.apply_payment(order_id, update, now).await?;
        match &applied.outcome {
            Ok(decision) => tracing::info!(
                order_id,
                source,
                state = %decision.payment(&applied.payment.payment).state,
                order = ?applied.order_status,
                "payment updated"
            ),
            Err(refused) if refused.is_harmless() => {
                tracing::debug!(order_id, source, %refused, "payment update changed nothing")
            }
            Err(refused) => tracing::info!(order_id, source, %refused, "payment update refused"),
        }
        Ok(applied)
    }

    fn provider_of(
        &self,
        current: &StoredAttempt,
    ) -> Result<&Arc<dyn PaymentProvider>, CashierError> {
        self.provider_by_id(Some(current.attempt.channel.provider()))
    }

    fn provider_by_id(
        &self,
        id: Option<ProviderId>,
    ) -> Result<&Arc<dyn PaymentProvider>, CashierError> {
        let id = id.unwrap_or(ProviderId::Counter);
        self.providers
            .get(id)
            .ok_or(CashierError::ProviderNotEnabled(id))
    }
}

/// A staff or diner step that is done, now or before (asking twice is fine).
fn already_or_now(applied: Applied) -> Result<StoredPayment, CashierError> {
    match applied.outcome {
        Ok(_) | Err(Refused::Payment(Refusal::NoChange { .. })) => Ok(applied.payment),
        Err(refused) => Err(CashierError::Refused(refused)),
    }
}

fn corrupt(order_id: &str, what: &str) -> CashierError {
    CashierError::Storage(StorageError::corrupt(format!("{what} ({order_id})")))
}
