//! The lying network, simulated: the restaurant's server is away for a
//! while (a restart, a dead access point), phones keep placing orders, each
//! failed order waits out its own network backoff (up to a minute), and no
//! `online` event will ever fire. At t = 0 the server is back. How long
//! until every order lands, and what does the server see?
//!
//! Each phone runs the widget's own code: a real [`OutboxEntry`] per order
//! (its backoff, `network_is_back`) and, with the probe, the real
//! [`ProbeSchedule`] checked on the page's one-second tick.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use wendan_outbox::probe::{ProbeAnswer, ProbeSchedule};
use wendan_outbox::random::SplitMix64;
use wendan_outbox::{Backoff, OutboxEntry, Outcome, Random};
use wendan_protocol::IdempotencyKey;
use wendan_protocol::fixtures::{dine_in, line};

use crate::herd::BIN;
use crate::server::Server;
use crate::{MICROS_PER_SEC, Micros};

/// The page's delivery tick (`src/app.rs`): when a probe can go.
const TICK: Micros = MICROS_PER_SEC;

/// Simulated time starts here: `-outage` seconds before the server is back.
const EPOCH: OffsetDateTime = datetime!(2026-12-03 12:00 UTC);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutageConfig {
    /// Phones, each placing one order at a uniformly random moment of the outage.
    pub diners: u32,
    /// How long the server is away.
    pub outage_secs: u32,
    /// Orders the server completes per second, and admits at once.
    pub capacity: u32,
    pub queue_limit: usize,
    pub seed: u64,
}

impl Default for OutageConfig {
    fn default() -> Self {
        OutageConfig {
            // A food court's worth of phones: the server's capacity is not
            // what limits them, their waits are.
            diners: 2_000,
            outage_secs: 120,
            capacity: 500,
            queue_limit: 4096,
            seed: 1,
        }
    }
}

/// With or without the reachability probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Before: each order at the end of its own backoff.
    OwnBackoff,
    /// The page probes each second while an order waits on the network.
    Probe,
}

impl Notice {
    pub const ALL: [Notice; 2] = [Notice::OwnBackoff, Notice::Probe];

    pub fn label(self) -> &'static str {
        match self {
            Notice::OwnBackoff => "each order's own backoff (before)",
            Notice::Probe => "reachability probe",
        }
    }
}

/// What the server saw once it was back.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageRun {
    pub notice: Notice,
    pub config: OutageConfig,
    /// When (after t = 0) the median and the last order landed.
    pub median_landing: Micros,
    pub last_landing: Micros,
    /// Orders stored.
    pub landed: u32,
    /// Order requests and probes that reached the server (t ≥ 0).
    pub order_requests: u64,
    pub probes: u64,
    /// Order requests and probes arriving in each [`BIN`] after t = 0.
    pub orders_offered: Vec<u32>,
    pub probes_offered: Vec<u32>,
}

impl OutageRun {
    fn per_capacity(&self, count: u32) -> f64 {
        f64::from(count) * (MICROS_PER_SEC / BIN) as f64 / f64::from(self.config.capacity.max(1))
    }

    /// Highest order load in a 100 ms bin, as a multiple of capacity.
    pub fn peak_order_load(&self) -> f64 {
        self.per_capacity(self.orders_offered.iter().copied().max().unwrap_or(0))
    }

    /// Highest probe load in a 100 ms bin, as a multiple of order capacity
    /// (a probe touches no storage: far cheaper than an order).
    pub fn peak_probe_load(&self) -> f64 {
        self.per_capacity(self.probes_offered.iter().copied().max().unwrap_or(0))
    }

    pub fn median_landing_secs(&self) -> f64 {
        self.median_landing as f64 / MICROS_PER_SEC as f64
    }

    pub fn last_landing_secs(&self) -> f64 {
        self.last_landing as f64 / MICROS_PER_SEC as f64
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// The order's attempt, valid only for this generation of its schedule.
    Attempt { generation: u32 },
    /// The page's tick: a probe if one is due.
    Tick,
}

struct Phone {
    entry: OutboxEntry,
    probe: ProbeSchedule,
    generation: u32,
    landed: bool,
}

/// Runs the outage with `notice`.
pub fn simulate_outage(config: OutageConfig, notice: Notice) -> OutageRun {
    let backoff = Backoff::default();
    let mut random = SplitMix64::new(config.seed);
    let outage = Micros::from(config.outage_secs) * MICROS_PER_SEC;
    // Times are shifted by `outage`: the server is back at `outage`.
    let at = |micros: Micros| EPOCH + Duration::microseconds(micros as i64);
    let mut server = Server::new(config.capacity, config.queue_limit);
    let mut phones = Vec::with_capacity(config.diners as usize);
    let mut events: BinaryHeap<Reverse<(Micros, u32, Event)>> = BinaryHeap::new();
    for diner in 0..config.diners {
        let placed = (random.unit() * outage as f64) as Micros;
        let key = IdempotencyKey::new(&format!("outage-diner-{diner:08}"))
            .expect("a fixed-format key of 20 characters is valid");
        let order = dine_in(vec![line("tripe", 1, &[])], at(placed), 3800);
        phones.push(Phone {
            entry: OutboxEntry::new(key, order, 24 * 3600),
            probe: ProbeSchedule::default(),
            generation: 0,
            landed: false,
        });
        events.push(Reverse((placed, diner, Event::Attempt { generation: 0 })));
        if notice == Notice::Probe {
            events.push(Reverse((placed + TICK, diner, Event::Tick)));
        }
    }
    let mut run = OutageRun {
        notice,
        config,
        median_landing: 0,
        last_landing: 0,
        landed: 0,
        order_requests: 0,
        probes: 0,
        orders_offered: Vec::new(),
        probes_offered: Vec::new(),
    };
    let mut landings = Vec::with_capacity(config.diners as usize);
    let count = |bins: &mut Vec<u32>, now: Micros| {
        let bin = ((now - outage) / BIN) as usize;
        if bins.len() <= bin {
            bins.resize(bin + 1, 0);
        }
        bins[bin] += 1;
    };
    while let Some(Reverse((now, diner, event))) = events.pop() {
        let phone = &mut phones[diner as usize];
        if phone.landed {
            continue;
        }
        let server_back = now >= outage;
        match event {
            Event::Attempt { generation } if generation == phone.generation => {
                phone.entry.start_attempt(at(now));
                let outcome = if server_back {
                    run.order_requests += 1;
                    count(&mut run.orders_offered, now);
                    match server.offer(now) {
                        crate::server::Answer::Accepted { lands_at } => {
                            phone.landed = true;
                            let after = lands_at - outage;
                            landings.push(after);
                            run.landed += 1;
                            run.last_landing = run.last_landing.max(after);
                            continue;
                        }
                        crate::server::Answer::Shed { retry_after } => Outcome::Throttled {
                            retry_after: Some(retry_after),
                        },
                    }
                } else {
                    Outcome::Unknown("connection refused".into())
                };
                phone
                    .entry
                    .finish_attempt(outcome, at(now), &backoff, &mut random);
                schedule_attempt(&mut events, phone, diner, now, &at);
            }
            Event::Attempt { .. } => {}
            Event::Tick => {
                let entries = std::slice::from_ref(&phone.entry);
                if phone.probe.due(entries, at(now)) {
                    phone.probe.sent(at(now));
                    let answer = if server_back {
                        run.probes += 1;
                        count(&mut run.probes_offered, now);
                        match server.pressure(now) {
                            Some(wait) => ProbeAnswer::ServerSaysWait(wait),
                            None => ProbeAnswer::Reachable,
                        }
                    } else {
                        ProbeAnswer::Unreachable
                    };
                    if phone.probe.heard(answer, at(now)) {
                        phone.entry.network_is_back(at(now));
                        schedule_attempt(&mut events, phone, diner, now, &at);
                    }
                }
                events.push(Reverse((now + TICK, diner, Event::Tick)));
            }
        }
    }
    landings.sort_unstable();
    run.median_landing = landings.get(landings.len() / 2).copied().unwrap_or(0);
    run
}

/// Queues the phone's next attempt at its entry's wake time, superseding
/// any earlier one.
fn schedule_attempt(
    events: &mut BinaryHeap<Reverse<(Micros, u32, Event)>>,
    phone: &mut Phone,
    diner: u32,
    now: Micros,
    at: &impl Fn(Micros) -> OffsetDateTime,
) {
    let Some(wakes) = phone.entry.wakes_at() else {
        return;
    };
    let micros = (wakes - at(0)).whole_microseconds().max(now as i128) as Micros;
    phone.generation += 1;
    events.push(Reverse((
        micros,
        diner,
        Event::Attempt {
            generation: phone.generation,
        },
    )));
}

/// Both ways, in [`Notice::ALL`]'s order.
pub fn simulate_outages(config: OutageConfig) -> Vec<OutageRun> {
    Notice::ALL
        .iter()
        .map(|&notice| simulate_outage(config, notice))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> OutageConfig {
        OutageConfig {
            diners: 2_000,
            outage_secs: 60,
            capacity: 200,
            queue_limit: 400,
            seed: 5,
        }
    }

    #[test]
    fn every_order_lands_either_way_and_the_probe_is_sooner() {
        let before = simulate_outage(small(), Notice::OwnBackoff);
        let probing = simulate_outage(small(), Notice::Probe);
        for run in [&before, &probing] {
            assert_eq!(run.landed, small().diners, "{:?}", run.notice);
        }
        assert_eq!(before.probes, 0);
        // Half the orders are in sooner than by their own backoff.
        assert!(
            probing.median_landing_secs() < before.median_landing_secs(),
            "{} vs {}",
            probing.median_landing_secs(),
            before.median_landing_secs()
        );
        // And the last no later than its own backoff would have brought it.
        assert!(
            probing.last_landing_secs() < before.last_landing_secs(),
            "{} vs {}",
            probing.last_landing_secs(),
            before.last_landing_secs()
        );
    }

    #[test]
    fn probes_stop_once_the_server_says_wait() {
        let probing = simulate_outage(small(), Notice::Probe);
        // Each waiting phone's first probe after the return says yes, or
        // meets a half-full intake whose Retry-After holds it back: a few
        // probes per phone, not one a second until its order lands.
        assert!(
            probing.probes < 3 * u64::from(small().diners),
            "{} probes",
            probing.probes
        );
        // And no order is refused: phones send only after a yes.
        assert_eq!(probing.order_requests, u64::from(small().diners));
    }

    #[test]
    fn the_same_seed_gives_the_same_run() {
        assert_eq!(
            simulate_outage(small(), Notice::Probe),
            simulate_outage(small(), Notice::Probe)
        );
    }
}
