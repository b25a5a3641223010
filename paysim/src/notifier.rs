//! Notifications to the merchant, on each provider's schedule divided by the
//! sandbox's time scale, retried until the merchant acknowledges as that
//! provider requires, with the faults drawn for them.

use std::sync::Arc;
use std::time::Duration;

use crate::Sandbox;
use crate::faults::NotificationFaults;
use crate::ledger::{NotificationLog, Provider};

/// WeChat Pay: at once, then 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h.
pub const WECHAT_SCHEDULE: &[u64] = &[
    0, 15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
];
/// Alipay: at once, then 4m, 10m, 10m, 1h, 2h, 6h, 15h.
pub const ALIPAY_SCHEDULE: &[u64] = &[0, 240, 600, 600, 3600, 7200, 21600, 54000];
/// Stripe: exponential backoff over up to three days.
pub const STRIPE_SCHEDULE: &[u64] = &[0, 60, 300, 1800, 3600, 10800, 21600, 43200, 86400, 86400];

/// What counts as the merchant's acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ack {
    /// Any 2xx (WeChat: 200/204; Stripe: 2xx).
    Success,
    /// A 2xx whose body is exactly this (Alipay: `success`).
    Body(&'static str),
}

#[derive(Debug, Clone)]
pub struct Delivery {
    pub provider: Provider,
    /// The payment's provider handle (prepay id, trade number, session id).
    pub handle: String,
    pub event: String,
    pub url: String,
    pub body: Vec<u8>,
    pub content_type: &'static str,
    pub headers: Vec<(String, String)>,
    pub ack: Ack,
    pub schedule: &'static [u64],
    pub faults: NotificationFaults,
}

impl Sandbox {
    /// Sends `delivery` in the background (twice when the fault says so).
    pub fn deliver(self: &Arc<Self>, delivery: Delivery) {
        let copies = if delivery.faults.duplicate { 2 } else { 1 };
        for _ in 0..copies {
            let index = self.with_ledger(|ledger| {
                let payment = ledger.by_handle(delivery.provider, &delivery.handle)?;
                payment.notifications.push(NotificationLog {
                    event: delivery.event.clone(),
                    faults: format!("{:?}", delivery.faults),
                    attempts: 0,
                    acknowledged: false,
                });
                Some(payment.notifications.len() - 1)
            });
            if delivery.faults.lose {
                continue;
            }
            let sandbox = self.clone();
            let mut delivery = delivery.clone();
            // Only the payment's first notification is held back, so a later
            // one overtakes it.
            delivery.faults.hold_back &= index == Some(0);
            tokio::spawn(async move { sandbox.send_until_acknowledged(delivery, index).await });
        }
    }

    async fn send_until_acknowledged(&self, delivery: Delivery, index: Option<usize>) {
        let mut first_wait = Duration::from_millis(delivery.faults.delay_ms);
        if delivery.faults.hold_back {
            // A minute of provider time: long enough for the next one to pass.
            first_wait += self.scaled(60);
        }
        tokio::time::sleep(first_wait).await;
        for wait in delivery.schedule {
            tokio::time::sleep(self.scaled(*wait)).await;
            let acknowledged = self.send_once(&delivery).await;
            self.with_ledger(|ledger| {
                if let Some(log) = ledger
                    .by_handle(delivery.provider, &delivery.handle)
                    .and_then(|payment| index.and_then(|i| payment.notifications.get_mut(i)))
                {
                    log.attempts += 1;
                    log.acknowledged = acknowledged;
                }
            });
            if acknowledged {
                return;
            }
        }
    }

    async fn send_once(&self, delivery: &Delivery) -> bool {
        let mut request = self
            .http
            .post(&delivery.url)
            .header("Content-Type", delivery.content_type)
            .body(delivery.body.clone());
        for (name, value) in &delivery.headers {
            request = request.header(name, value);
        }
        let Ok(response) = request.send().await else {
            return false;
        };
        if !response.status().is_success() {
            return false;
        }
        match delivery.ack {
            Ack::Success => true,
            Ack::Body(expected) => response.text().await.is_ok_and(|body| body == expected),
        }
    }
}
