//! The seeded fault schedule: when the proxy refuses, black-holes, sheds,
//! drops answers or stalls, and when a server process is killed.
//!
//! Plain data from a seed (SplitMix64 from `wendan-outbox`), so a failing
//! run is repeated exactly with `--seed`. The schedule is built in rounds:
//! every round has each fault kind once, in a shuffled order, with calm
//! gaps between them, so even a short run sees every kind.

use std::time::Duration;

use wendan_outbox::Random;
use wendan_outbox::random::SplitMix64;

/// What the proxy does to requests during a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Nothing listens on the port: connections are refused.
    Refuse,
    /// Requests are read and never answered (until the client gives up).
    BlackHole,
    /// The proxy answers `503` with `Retry-After` itself.
    Unavailable { retry_after_secs: u32 },
    /// Orders are forwarded, the server commits and answers, and the
    /// answer is thrown away: the connection closes without a byte.
    DropAfterCommit,
    /// Every request waits this long before it is forwarded.
    Latency { millis: u64 },
}

impl Fault {
    /// One of each kind, for reports that list what a run exercised.
    pub const KINDS: [Fault; 5] = [
        Fault::Refuse,
        Fault::BlackHole,
        Fault::Unavailable {
            retry_after_secs: 1,
        },
        Fault::DropAfterCommit,
        Fault::Latency { millis: 0 },
    ];

    pub fn name(self) -> &'static str {
        match self {
            Fault::Refuse => "refused connections",
            Fault::BlackHole => "black-holed connections",
            Fault::Unavailable { .. } => "503 bursts (Retry-After)",
            Fault::DropAfterCommit => "responses dropped after commit",
            Fault::Latency { .. } => "latency spikes",
        }
    }
}

/// A fault during `[start, end)`, measured from the start of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: Duration,
    pub end: Duration,
    pub fault: Fault,
}

/// `kill -9` of a server process at `at`, restarted `down` later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kill {
    pub at: Duration,
    pub down: Duration,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    pub windows: Vec<Window>,
    pub kills: Vec<Kill>,
    /// Upgrades: at each, the next server is stopped as systemd stops it
    /// (SIGTERM: it drains) and the new build started in its place.
    pub upgrades: Vec<Duration>,
    /// When the first round (every kind once) is over.
    pub first_round_end: Duration,
}

/// The kinds a round holds: five proxy faults and a `kill -9`.
const KINDS: usize = 6;

impl Schedule {
    /// Rounds of faults from `seed`, covering at least `span`.
    pub fn generate(seed: u64, span: Duration) -> Self {
        let mut random = SplitMix64::new(seed);
        let mut schedule = Schedule::default();
        // A calm start: the diners' first page loads get through.
        let mut now = secs_between(&mut random, 3.0, 6.0);
        while now < span || schedule.first_round_end.is_zero() {
            let mut order: Vec<usize> = (0..KINDS).collect();
            shuffle(&mut order, &mut random);
            for kind in order {
                now += gap(&mut random);
                let fault = match kind {
                    0 => Fault::Refuse,
                    1 => Fault::BlackHole,
                    2 => Fault::Unavailable {
                        retry_after_secs: 1 + (random.next_u64() % 3) as u32,
                    },
                    3 => Fault::DropAfterCommit,
                    4 => Fault::Latency {
                        millis: 500 + random.next_u64() % 2500,
                    },
                    _ => {
                        let down = secs_between(&mut random, 1.0, 4.0);
                        schedule.kills.push(Kill { at: now, down });
                        now += down;
                        continue;
                    }
                };
                // Black holes stay short: the widget gives up on a send
                // after 15 s, and a longer hole only repeats that.
                let length = match fault {
                    Fault::Refuse | Fault::BlackHole => secs_between(&mut random, 2.0, 5.0),
                    _ => secs_between(&mut random, 3.0, 7.0),
                };
                schedule.windows.push(Window {
                    start: now,
                    end: now + length,
                    fault,
                });
                now += length;
            }
            if schedule.first_round_end.is_zero() {
                schedule.first_round_end = now;
            }
        }
        schedule
    }

    /// A rolling upgrade and nothing else: one server replaced every
    /// `every`, `servers` times, while the diners order through a calm
    /// proxy; they keep ordering until a while after the last.
    pub fn rolling_upgrade(servers: usize, every: Duration) -> Self {
        let upgrades: Vec<Duration> = (1..=servers as u32).map(|n| every * n).collect();
        let last = upgrades.last().copied().unwrap_or_default();
        Schedule {
            first_round_end: last + every,
            upgrades,
            ..Schedule::default()
        }
    }

    /// The fault in force `at` into the run, if any.
    pub fn fault_at(&self, at: Duration) -> Option<Fault> {
        self.windows
            .iter()
            .find(|window| window.start <= at && at < window.end)
            .map(|window| window.fault)
    }

    /// The next refusal window that has not ended by `at`.
    pub fn next_refusal(&self, at: Duration) -> Option<Window> {
        self.windows
            .iter()
            .find(|window| window.fault == Fault::Refuse && window.end > at)
            .copied()
    }
}

fn gap(random: &mut SplitMix64) -> Duration {
    secs_between(random, 2.0, 5.0)
}

fn secs_between(random: &mut SplitMix64, low: f64, high: f64) -> Duration {
    Duration::from_secs_f64(low + (high - low) * random.unit())
}

/// Fisher–Yates with the seeded generator.
fn shuffle<T>(items: &mut [T], random: &mut SplitMix64) {
    for i in (1..items.len()).rev() {
        let j = (random.next_u64() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_schedule() {
        let span = Duration::from_secs(120);
        assert_eq!(Schedule::generate(7, span), Schedule::generate(7, span));
        assert_ne!(Schedule::generate(7, span), Schedule::generate(8, span));
    }

    #[test]
    fn the_first_round_has_every_fault_and_a_kill() {
        let schedule = Schedule::generate(42, Duration::ZERO);
        let mut names: Vec<&str> = schedule.windows.iter().map(|w| w.fault.name()).collect();
        names.sort_unstable();
        assert_eq!(names.len(), 5);
        names.dedup();
        assert_eq!(names.len(), 5, "every kind once");
        assert_eq!(schedule.kills.len(), 1);
        assert!(schedule.upgrades.is_empty());
        let last_end = schedule
            .windows
            .iter()
            .map(|w| w.end)
            .max()
            .expect("windows");
        assert!(schedule.first_round_end >= last_end);
    }

    #[test]
    fn windows_do_not_overlap_and_cover_the_span() {
        let schedule = Schedule::generate(3, Duration::from_secs(600));
        for pair in schedule.windows.windows(2) {
            assert!(pair[0].end <= pair[1].start);
        }
        let last = schedule.windows.last().expect("windows");
        assert!(last.end + Duration::from_secs(60) >= Duration::from_secs(600));
        for kill in &schedule.kills {
            assert!(
                schedule.fault_at(kill.at).is_none(),
                "a kill happens in a calm gap"
            );
        }
    }

    #[test]
    fn finds_the_fault_in_force() {
        let schedule = Schedule::generate(9, Duration::ZERO);
        let window = schedule.windows[0];
        assert_eq!(schedule.fault_at(window.start), Some(window.fault));
        assert_eq!(schedule.fault_at(Duration::ZERO), None);
        let refusal = schedule.next_refusal(Duration::ZERO).expect("a refusal");
        assert_eq!(refusal.fault, Fault::Refuse);
    }
}
