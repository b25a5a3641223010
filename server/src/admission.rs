//! Bounded admission for order intake: under a rush, answer 503 with
//! `Retry-After` at once rather than queue a request until it times out.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Clone)]
pub struct Admission {
    permits: Arc<Semaphore>,
    capacity: usize,
}

/// Intake is full; try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overloaded {
    pub retry_after_secs: u64,
}

impl Admission {
    pub fn new(capacity: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(capacity)),
            capacity,
        }
    }

    /// A permit to handle one order request, or how long to wait.
    pub fn admit(&self) -> Result<OwnedSemaphorePermit, Overloaded> {
        Arc::clone(&self.permits)
            .try_acquire_owned()
            .map_err(|_| Overloaded {
                retry_after_secs: self.retry_after_secs(),
            })
    }

    /// Intake at least half full: phones that only wait for the path to
    /// come back (`GET /api/v1/reachable`) are asked to wait, so a herd
    /// returning at once arrives at the server's pace.
    pub fn pressure(&self) -> Option<Overloaded> {
        (self.busy() * 2 >= self.capacity).then(|| Overloaded {
            retry_after_secs: self.retry_after_secs(),
        })
    }

    /// Order requests being handled now.
    pub fn busy(&self) -> usize {
        self.capacity - self.permits.available_permits()
    }

    /// Longer when more is waiting; clients add their own jitter on top.
    fn retry_after_secs(&self) -> u64 {
        let busy = self.busy();
        1 + (4 * busy / self.capacity.max(1)) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_capacity_and_recovers_when_permits_return() {
        let admission = Admission::new(2);
        let first = admission.admit().expect("room");
        let _second = admission.admit().expect("room");
        let refused = admission.admit().expect_err("full");
        assert_eq!(refused.retry_after_secs, 5);
        drop(first);
        assert!(admission.admit().is_ok());
    }

    #[test]
    fn waiting_phones_are_held_back_from_half_full() {
        let admission = Admission::new(4);
        let _first = admission.admit().expect("room");
        assert_eq!(admission.pressure(), None);
        let _second = admission.admit().expect("room");
        assert_eq!(
            admission.pressure(),
            Some(Overloaded {
                retry_after_secs: 3
            })
        );
    }
}
