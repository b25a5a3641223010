//! Replays absorbed, 409s and 503s shed, per minute. Counted in memory on
//! the hot path (one short lock, no I/O) and flushed to storage every few
//! seconds and at shutdown, where each replica *adds* its counts: the
//! dashboard stays right after a restart and across replicas.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::watch;

use crate::storage::{AdminStore, Storage, StorageError};

/// How often counts go to storage. A crash loses at most this much.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountKind {
    /// A retry answered with the stored answer: a duplicate absorbed.
    Replay,
    /// 409 idempotency-key-in-use: the key's first request was still running.
    Conflict,
    /// 503: intake was full and the order was asked to come back.
    Shed,
}

impl CountKind {
    pub const ALL: [CountKind; 3] = [CountKind::Replay, CountKind::Conflict, CountKind::Shed];

    pub fn as_str(self) -> &'static str {
        match self {
            CountKind::Replay => "replay",
            CountKind::Conflict => "conflict",
            CountKind::Shed => "shed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// One minute's count of one kind. `minute` is the minute's start in Unix
/// seconds (UTC), as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinuteCount {
    pub minute: i64,
    pub kind: CountKind,
    pub count: i64,
}

/// The start of `at`'s minute, in Unix seconds.
pub fn minute_of(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(60) * 60
}

/// Counts not yet in storage.
#[derive(Clone, Default)]
pub struct IntakeCounts {
    pending: Arc<Mutex<BTreeMap<(i64, CountKind), i64>>>,
}

impl IntakeCounts {
    pub fn record(&self, kind: CountKind, at: OffsetDateTime) {
        *self.lock().entry((minute_of(at), kind)).or_insert(0) += 1;
    }

    /// Everything counted so far, leaving nothing pending.
    pub fn take(&self) -> Vec<MinuteCount> {
        std::mem::take(&mut *self.lock())
            .into_iter()
            .map(|((minute, kind), count)| MinuteCount {
                minute,
                kind,
                count,
            })
            .collect()
    }

    /// Puts back counts whose flush failed, to go with the next one.
    pub fn restore(&self, counts: Vec<MinuteCount>) {
        let mut pending = self.lock();
        for count in counts {
            *pending.entry((count.minute, count.kind)).or_insert(0) += count.count;
        }
    }

    /// Adds the pending counts to storage; on failure they stay pending.
    pub async fn flush(&self, storage: &Storage) -> Result<(), StorageError> {
        let counts = self.take();
        if counts.is_empty() {
            return Ok(());
        }
        match storage.add_counts(counts.clone()).await {
            Ok(()) => Ok(()),
            Err(error) => {
                self.restore(counts);
                Err(error)
            }
        }
    }

    /// Flushes every [`FLUSH_EVERY`] until the server stops; the final flush
    /// is the caller's, after the last request has been answered.
    pub async fn flush_periodically(self, storage: Storage, mut stopping: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(FLUSH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stopping.wait_for(|stopping| *stopping) => return,
            }
            if let Err(error) = self.flush(&storage).await {
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    "cannot store intake counts yet; keeping them"
                );
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(i64, CountKind), i64>> {
        // A poisoned lock only means a panic between two plain integer
        // updates: the map is still consistent.
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn counts_are_grouped_by_minute_and_kind_and_taken_once() {
        let counts = IntakeCounts::default();
        counts.record(CountKind::Replay, datetime!(2026-11-23 04:00:01 UTC));
        counts.record(CountKind::Replay, datetime!(2026-11-23 04:00:59.9 UTC));
        counts.record(CountKind::Shed, datetime!(2026-11-23 04:00:30 UTC));
        counts.record(CountKind::Replay, datetime!(2026-11-23 04:01:00 UTC));
        let minute = datetime!(2026-11-23 04:00 UTC).unix_timestamp();
        assert_eq!(
            counts.take(),
            [
                MinuteCount {
                    minute,
                    kind: CountKind::Replay,
                    count: 2
                },
                MinuteCount {
                    minute,
                    kind: CountKind::Shed,
                    count: 1
                },
                MinuteCount {
                    minute: minute + 60,
                    kind: CountKind::Replay,
                    count: 1
                },
            ]
        );
        assert!(counts.take().is_empty());
    }

    #[test]
    fn restored_counts_add_to_new_ones() {
        let counts = IntakeCounts::default();
        let at = datetime!(2026-11-23 04:00 UTC);
        counts.record(CountKind::Conflict, at);
        let failed = counts.take();
        counts.record(CountKind::Conflict, at);
        counts.restore(failed);
        assert_eq!(counts.take()[0].count, 2);
    }

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in CountKind::ALL {
            assert_eq!(CountKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(CountKind::parse("other"), None);
    }
}
