//! The server under the herd: it completes `capacity` orders a second, one
//! after another, and admits at most `queue_limit` at once (the intake's
//! semaphore, `--max-pending-orders`). Past that it answers 503 at once, with
//! the `Retry-After` that server/src/admission.rs would give.

use std::collections::VecDeque;

use time::Duration;

use crate::{MICROS_PER_SEC, Micros};

/// The answer to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 201: the order is stored at `lands_at`.
    Accepted { lands_at: Micros },
    /// 503 with `Retry-After`.
    Shed { retry_after: Duration },
}

#[derive(Debug, Clone)]
pub struct Server {
    service: Micros,
    queue_limit: usize,
    /// When each admitted order completes, earliest first (FIFO).
    completions: VecDeque<Micros>,
}

impl Server {
    pub fn new(capacity_per_sec: u32, queue_limit: usize) -> Self {
        Self {
            service: (MICROS_PER_SEC / Micros::from(capacity_per_sec.max(1))).max(1),
            queue_limit: queue_limit.max(1),
            completions: VecDeque::with_capacity(queue_limit),
        }
    }

    /// A reachability probe at `now`: from half full, the `Retry-After`
    /// the server sends waiting phones (server/src/admission.rs `pressure`).
    pub fn pressure(&mut self, now: Micros) -> Option<Duration> {
        while self.completions.front().is_some_and(|&done| done <= now) {
            self.completions.pop_front();
        }
        let busy = self.completions.len();
        (busy * 2 >= self.queue_limit).then(|| {
            let secs = retry_after_secs(busy, self.queue_limit);
            Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX))
        })
    }

    /// A request arrives at `now` (requests must come in time order).
    pub fn offer(&mut self, now: Micros) -> Answer {
        while self.completions.front().is_some_and(|&done| done <= now) {
            self.completions.pop_front();
        }
        let busy = self.completions.len();
        if busy >= self.queue_limit {
            let secs = retry_after_secs(busy, self.queue_limit);
            return Answer::Shed {
                retry_after: Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX)),
            };
        }
        let starts = self.completions.back().copied().unwrap_or(now).max(now);
        let lands_at = starts + self.service;
        self.completions.push_back(lands_at);
        Answer::Accepted { lands_at }
    }
}

/// server/src/admission.rs: `1 + 4·busy/capacity` seconds, longer when
/// more is waiting. (The server crate is not a dependency: it would bring
/// axum, Tokio and SQLite into a pure model.)
pub fn retry_after_secs(busy: usize, queue_limit: usize) -> u64 {
    1 + (4 * busy / queue_limit.max(1)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_in_order_at_capacity_and_sheds_past_the_queue() {
        let mut server = Server::new(500, 2);
        assert_eq!(server.offer(0), Answer::Accepted { lands_at: 2_000 });
        assert_eq!(server.offer(0), Answer::Accepted { lands_at: 4_000 });
        assert_eq!(
            server.offer(0),
            Answer::Shed {
                retry_after: Duration::seconds(5)
            }
        );
        // The first order has landed: room for one more, behind the second.
        assert_eq!(server.offer(2_000), Answer::Accepted { lands_at: 6_000 });
        // Idle server: served at once.
        assert_eq!(
            server.offer(1_000_000),
            Answer::Accepted {
                lands_at: 1_002_000
            }
        );
    }

    #[test]
    fn retry_after_grows_with_the_load_like_the_real_admission() {
        assert_eq!(retry_after_secs(0, 4096), 1);
        assert_eq!(retry_after_secs(2048, 4096), 3);
        assert_eq!(retry_after_secs(4096, 4096), 5);
    }
}
