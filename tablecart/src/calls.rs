//! The phone's side of service for the table (催单, 呼叫服务员): each press
//! is kept until the restaurant acknowledged it, with its idempotency key
//! made before the first send, so a call survives a dropped signal and a
//! reload, and a retry is the same call. A press while the same call
//! (reason and order) is still waiting reuses its key: five presses on a
//! bad signal are one call, as the server also makes them.

use serde::{Deserialize, Serialize};
use wendan_protocol::CallReason;

/// How long an acknowledged call is remembered (and shown as "called"):
/// after that a press is a new call, which the restaurant dedupes anyway
/// while the first is still open.
pub const ACKNOWLEDGED_KEPT_MS: f64 = 10.0 * 60.0 * 1000.0;

/// One press, as the phone keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingCall {
    pub key: String,
    pub reason: CallReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// When it was pressed, in ms since the epoch (the phone's clock).
    pub pressed_at_ms: f64,
    /// When the restaurant acknowledged it; `None` while it waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at_ms: Option<f64>,
}

impl PendingCall {
    pub fn is_waiting(&self) -> bool {
        self.acknowledged_at_ms.is_none()
    }

    fn is_for(&self, reason: CallReason, order_id: Option<&str>) -> bool {
        self.reason == reason && self.order_id.as_deref() == order_id
    }
}

/// A table's calls on one phone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallQueue {
    calls: Vec<PendingCall>,
}

impl CallQueue {
    /// A press: the call for `reason` (and `order_id`) still waiting or
    /// recently acknowledged, else a new one under `new_key()`. Its key.
    pub fn press(
        &mut self,
        reason: CallReason,
        order_id: Option<&str>,
        now_ms: f64,
        new_key: impl FnOnce() -> String,
    ) -> String {
        self.forget_before(now_ms - ACKNOWLEDGED_KEPT_MS);
        if let Some(kept) = self.calls.iter().find(|call| call.is_for(reason, order_id)) {
            return kept.key.clone();
        }
        let key = new_key();
        self.calls.push(PendingCall {
            key: key.clone(),
            reason,
            order_id: order_id.map(str::to_owned),
            pressed_at_ms: now_ms,
            acknowledged_at_ms: None,
        });
        key
    }

    /// The calls still to send, oldest first.
    pub fn waiting(&self) -> impl Iterator<Item = &PendingCall> {
        self.calls.iter().filter(|call| call.is_waiting())
    }

    /// The restaurant has the call with `key`.
    pub fn acknowledged(&mut self, key: &str, now_ms: f64) {
        if let Some(call) = self.calls.iter_mut().find(|call| call.key == key) {
            call.acknowledged_at_ms.get_or_insert(now_ms);
        }
    }

    /// The restaurant refused the call for good (a replaced table code, a
    /// table staff have not opened): it is dropped, and the diner told.
    pub fn refused(&mut self, key: &str) {
        self.calls.retain(|call| call.key != key);
    }

    /// The state of the call for `reason` (and `order_id`), if one is kept.
    pub fn find(&self, reason: CallReason, order_id: Option<&str>) -> Option<&PendingCall> {
        self.calls.iter().find(|call| call.is_for(reason, order_id))
    }

    fn forget_before(&mut self, cutoff_ms: f64) {
        self.calls.retain(|call| {
            call.acknowledged_at_ms
                .is_none_or(|acknowledged| acknowledged >= cutoff_ms)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> impl FnMut() -> String {
        let mut made = 0;
        move || {
            made += 1;
            format!("key-{made}")
        }
    }

    #[test]
    fn presses_while_a_call_waits_or_was_just_answered_reuse_its_key() {
        let mut queue = CallQueue::default();
        let mut new_key = keys();
        let water = queue.press(CallReason::Water, None, 0.0, &mut new_key);
        for pressed in 1..5 {
            assert_eq!(
                queue.press(CallReason::Water, None, f64::from(pressed), &mut new_key),
                water
            );
        }
        let broth = queue.press(CallReason::Broth, None, 5.0, &mut new_key);
        assert_ne!(broth, water);
        let hurry_7 = queue.press(CallReason::Hurry, Some("order-7"), 6.0, &mut new_key);
        let hurry_8 = queue.press(CallReason::Hurry, Some("order-8"), 7.0, &mut new_key);
        assert_ne!(hurry_7, hurry_8, "a hurry is per order");
        assert_eq!(queue.waiting().count(), 4);

        queue.acknowledged(&water, 10.0);
        assert_eq!(queue.waiting().count(), 3);
        assert_eq!(
            queue.press(CallReason::Water, None, 20.0, &mut new_key),
            water
        );
        let later = 10.0 + ACKNOWLEDGED_KEPT_MS + 1.0;
        let again = queue.press(CallReason::Water, None, later, &mut new_key);
        assert_ne!(
            again, water,
            "long after it was answered, a press is a new call"
        );
    }

    #[test]
    fn a_refused_call_is_dropped_and_the_queue_survives_being_stored() {
        let mut queue = CallQueue::default();
        let mut new_key = keys();
        let bill = queue.press(CallReason::Bill, None, 0.0, &mut new_key);
        queue.press(CallReason::Other, None, 1.0, &mut new_key);
        queue.refused(&bill);
        assert!(queue.find(CallReason::Bill, None).is_none());
        let stored = serde_json::to_string(&queue).expect("json");
        let read: CallQueue = serde_json::from_str(&stored).expect("read");
        assert_eq!(read, queue);
        assert_eq!(
            read.waiting().map(|call| call.reason).collect::<Vec<_>>(),
            [CallReason::Other]
        );
    }
}
