//! Asking the server, cheaply, whether it can be reached again.
//!
//! An order that failed on the network waits out its own backoff (up to a
//! minute). When the path comes back, something must tell the phone: the
//! browser's `online` event does not fire when the phone was "connected"
//! all along (a dead access point, a captive portal, a restarting server),
//! and a phone whose only order is not yet delivered follows no live status
//! stream. So while an order waits on the *network* (never while it waits
//! out a server's `Retry-After`), the phone asks a tiny endpoint every
//! [`PROBE_EVERY`]; a yes ends every network wait at once
//! ([`crate::OutboxEntry::network_is_back`]). The server controls the rate:
//! when its intake is busy it answers 503 with `Retry-After`, and the next
//! probe waits that long.

use time::{Duration, OffsetDateTime};

use crate::entry::{DeliveryState, OutboxEntry};
use crate::outcome::parse_retry_after;

/// How often a waiting phone asks. With it, an order reaches a server that
/// came back within about this long, instead of at the end of a wait of up
/// to a minute.
pub const PROBE_EVERY: Duration = Duration::seconds(1);

/// Whether asking is worth a request now: some order waits out a network
/// failure, and its own next attempt is further away than the next probe.
pub fn worth_probing(entries: &[OutboxEntry], now: OffsetDateTime) -> bool {
    entries.iter().any(|entry| match entry.state {
        DeliveryState::Saved {
            next_attempt_at,
            server_said_wait: false,
            last_error: Some(_),
        } => next_attempt_at > now + PROBE_EVERY,
        _ => false,
    })
}

/// What the probe heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeAnswer {
    /// The server answered yes: the network waits end now.
    Reachable,
    /// The server answered, but asks for this much quiet first (503 with
    /// `Retry-After`): the path works, the server does not want more yet.
    ServerSaysWait(Duration),
    /// No answer.
    Unreachable,
}

impl ProbeAnswer {
    /// Reads the answer to `GET /api/v1/reachable`. Any answer from the
    /// server itself says the path works (a 404 is a server from before the
    /// endpoint); 503/429 ask for quiet; a proxy's 502/504 says the server
    /// behind it is still away.
    pub fn from_status(status: u16, retry_after: Option<&str>, now: OffsetDateTime) -> Self {
        match status {
            429 | 503 => ProbeAnswer::ServerSaysWait(
                retry_after
                    .and_then(|value| parse_retry_after(value, now))
                    .unwrap_or(PROBE_EVERY),
            ),
            500..=599 => ProbeAnswer::Unreachable,
            _ => ProbeAnswer::Reachable,
        }
    }
}

/// When the next probe may go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProbeSchedule {
    not_before: Option<OffsetDateTime>,
}

impl ProbeSchedule {
    /// Whether a probe may go now (and is worth it: [`worth_probing`]).
    pub fn due(&self, entries: &[OutboxEntry], now: OffsetDateTime) -> bool {
        self.not_before.is_none_or(|at| at <= now) && worth_probing(entries, now)
    }

    /// A probe is leaving now: no other goes until it has an answer and one
    /// period has passed.
    pub fn sent(&mut self, now: OffsetDateTime) {
        self.not_before = Some(now.saturating_add(PROBE_EVERY));
    }

    /// Records the answer; whether the network waits end now. Without a
    /// word from the server the pace stays one probe per period from the
    /// last one sent (a refused connection answers at once).
    pub fn heard(&mut self, answer: ProbeAnswer, now: OffsetDateTime) -> bool {
        match answer {
            ProbeAnswer::Reachable => true,
            ProbeAnswer::ServerSaysWait(wait) => {
                self.not_before = Some(now.saturating_add(wait.max(PROBE_EVERY)));
                false
            }
            ProbeAnswer::Unreachable => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use wendan_protocol::IdempotencyKey;
    use wendan_protocol::fixtures::{dine_in, line};

    use super::*;
    use crate::backoff::Backoff;
    use crate::outcome::Outcome;
    use crate::random::SplitMix64;

    const NOW: OffsetDateTime = datetime!(2026-12-03 12:00 UTC);

    fn entry() -> OutboxEntry {
        let key = IdempotencyKey::new("probe-key-0123456789").expect("key");
        OutboxEntry::new(key, dine_in(vec![line("tripe", 1, &[])], NOW, 3800), 3600)
    }

    /// An entry that failed `failures` times on the network at `NOW`.
    fn waiting_on_network(failures: u32) -> OutboxEntry {
        let mut entry = entry();
        let mut random = SplitMix64::new(3);
        for _ in 0..failures {
            entry.start_attempt(NOW);
            entry.finish_attempt(
                Outcome::Unknown("connection refused".into()),
                NOW,
                &Backoff::default(),
                &mut random,
            );
        }
        entry
    }

    #[test]
    fn only_a_network_wait_longer_than_a_probe_is_worth_probing() {
        // Nothing waiting, or a new order due now: no probe.
        assert!(!worth_probing(&[], NOW));
        assert!(!worth_probing(&[entry()], NOW));
        // Deep in its backoff after network failures: worth it.
        let deep = waiting_on_network(8);
        assert!(worth_probing(std::slice::from_ref(&deep), NOW));
        // Its attempt is almost due anyway: the attempt is the probe.
        assert!(!worth_probing(
            std::slice::from_ref(&deep),
            deep.wakes_at().expect("saved") - Duration::seconds(1)
        ));
    }

    #[test]
    fn a_servers_retry_after_is_never_probed_around() {
        let mut entry = entry();
        entry.start_attempt(NOW);
        entry.finish_attempt(
            Outcome::Throttled {
                retry_after: Some(Duration::seconds(30)),
            },
            NOW,
            &Backoff::default(),
            &mut SplitMix64::new(1),
        );
        assert!(!worth_probing(&[entry], NOW));
    }

    #[test]
    fn answers_read_as_the_server_meant_them() {
        assert_eq!(
            ProbeAnswer::from_status(204, None, NOW),
            ProbeAnswer::Reachable
        );
        assert_eq!(
            ProbeAnswer::from_status(404, None, NOW),
            ProbeAnswer::Reachable
        );
        assert_eq!(
            ProbeAnswer::from_status(503, Some("7"), NOW),
            ProbeAnswer::ServerSaysWait(Duration::seconds(7))
        );
        assert_eq!(
            ProbeAnswer::from_status(429, Some("soon"), NOW),
            ProbeAnswer::ServerSaysWait(PROBE_EVERY)
        );
        assert_eq!(
            ProbeAnswer::from_status(502, None, NOW),
            ProbeAnswer::Unreachable
        );
    }

    #[test]
    fn the_server_sets_the_pace_and_a_yes_ends_the_waits() {
        let entries = [waiting_on_network(8)];
        let at = |millis: i64| NOW + Duration::milliseconds(millis);
        let period = PROBE_EVERY.whole_milliseconds() as i64;
        let mut schedule = ProbeSchedule::default();
        assert!(schedule.due(&entries, NOW));
        schedule.sent(NOW);
        assert!(!schedule.due(&entries, at(period / 2)));
        // No answer: the next probe one period after this one left.
        assert!(!schedule.heard(ProbeAnswer::Unreachable, at(period / 2)));
        assert!(!schedule.due(&entries, at(period - 1)));
        assert!(schedule.due(&entries, at(period)));
        // Busy: as long as the server says.
        assert!(!schedule.heard(
            ProbeAnswer::ServerSaysWait(Duration::seconds(9)),
            at(2 * period)
        ));
        assert!(!schedule.due(&entries, at(2 * period + 8_999)));
        assert!(schedule.due(&entries, at(2 * period + 9_000)));
        // Yes: the waits end.
        let now = at(2 * period + 9_000);
        assert!(schedule.heard(ProbeAnswer::Reachable, now));
        let mut entries = entries;
        entries[0].network_is_back(now);
        assert!(entries[0].is_due(now));
        assert!(!worth_probing(&entries, now));
    }
}
