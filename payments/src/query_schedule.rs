//! When the server asks the provider itself. The providers' practice: "when
//! no notification arrived, call the query API". So: a first query shortly
//! after the attempt started, then backing off, until the outcome is final or
//! the provider payment expires; at expiry, close it (关单) so it can never
//! complete later, and query once more to confirm.
//!
//! A pure function of the clock the caller passes in, so the server, the
//! reconciliation command and the tests agree on every instant.

use time::{Duration, OffsetDateTime};

/// The schedule's knobs. [`QuerySchedule::default`] suits a diner standing at
/// the counter: first look after 10 s, doubling to at most a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuerySchedule {
    /// Silence this long after the attempt started → first query.
    pub first_after: Duration,
    /// The longest wait between two queries.
    pub max_interval: Duration,
}

impl Default for QuerySchedule {
    fn default() -> Self {
        QuerySchedule {
            first_after: Duration::seconds(10),
            max_interval: Duration::seconds(60),
        }
    }
}

/// What to do about a pending attempt, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextCheck {
    /// Ask the provider at this instant.
    QueryAt(OffsetDateTime),
    /// The provider payment has expired: close it at this instant, then query.
    CloseAt(OffsetDateTime),
}

impl NextCheck {
    pub fn at(self) -> OffsetDateTime {
        match self {
            NextCheck::QueryAt(at) | NextCheck::CloseAt(at) => at,
        }
    }
}

impl QuerySchedule {
    /// The check after `queries_done` queries of an attempt that started at
    /// `started_at` and expires at the provider at `expires_at`. Query `k`
    /// (0-based) is due at `started_at + first_after·(2^(k+1) − 1)` with each
    /// gap capped at `max_interval`: 10 s, 30 s, 70 s, 130 s, 190 s, …
    pub fn next(
        &self,
        started_at: OffsetDateTime,
        expires_at: OffsetDateTime,
        queries_done: u32,
    ) -> NextCheck {
        let mut due = started_at;
        let mut gap = self.first_after;
        for _ in 0..=queries_done {
            due = due.saturating_add(gap.min(self.max_interval));
            gap = gap.saturating_mul(2);
            if due >= expires_at {
                return NextCheck::CloseAt(expires_at);
            }
        }
        NextCheck::QueryAt(due)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const START: OffsetDateTime = datetime!(2026-03-02 12:00:00 UTC);

    #[test]
    fn queries_back_off_then_close_at_expiry() {
        let schedule = QuerySchedule::default();
        let expires = START + Duration::minutes(5);
        let due: Vec<_> = (0..8).map(|k| schedule.next(START, expires, k)).collect();
        let seconds = |at: OffsetDateTime| (at - START).whole_seconds();
        assert_eq!(
            due.iter()
                .map(|check| (matches!(check, NextCheck::QueryAt(_)), seconds(check.at())))
                .collect::<Vec<_>>(),
            vec![
                (true, 10),
                (true, 30),
                (true, 70),
                (true, 130),
                (true, 190),
                (true, 250),
                (false, 300),
                (false, 300),
            ]
        );
    }

    #[test]
    fn an_attempt_already_expired_is_closed_at_once() {
        let schedule = QuerySchedule::default();
        assert_eq!(
            schedule.next(START, START + Duration::seconds(5), 0),
            NextCheck::CloseAt(START + Duration::seconds(5))
        );
    }

    #[test]
    fn a_huge_query_count_does_not_overflow() {
        let schedule = QuerySchedule::default();
        let expires = START + Duration::days(1);
        assert_eq!(
            schedule.next(START, expires, 10_000),
            NextCheck::CloseAt(expires)
        );
    }
}
