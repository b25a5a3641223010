//! The event loop: every phone sends at t = 0, and each 503 schedules that
//! phone's next attempt by its strategy. Events are kept in a binary heap
//! ordered by (time, phone), so ties resolve the same way on every run.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use wendan_outbox::Backoff;
use wendan_outbox::random::SplitMix64;

use crate::server::{Answer, Server};
use crate::{MICROS_PER_SEC, Micros, Strategy};

/// Width of the bins in which offered load is counted: 100 ms.
pub const BIN: Micros = MICROS_PER_SEC / 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Phones, each with one order, all sendable at t = 0.
    pub diners: u32,
    /// Orders the server completes per second.
    pub capacity: u32,
    /// Orders admitted at once before shedding (the server's
    /// `--max-pending-orders`, 4096 by default).
    pub queue_limit: usize,
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            diners: 100_000,
            capacity: 500,
            queue_limit: 4096,
            seed: 1,
        }
    }
}

impl Config {
    /// The best any strategy could do: `diners ÷ capacity` seconds.
    pub fn ideal_secs(&self) -> f64 {
        f64::from(self.diners) / f64::from(self.capacity.max(1))
    }
}

/// What one strategy did to the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub strategy: Strategy,
    pub config: Config,
    /// Every request sent, first attempts and retries.
    pub requests: u64,
    /// Orders stored (equals `config.diners` when the herd has drained).
    pub landed: u32,
    /// When the last order was stored.
    pub last_landing: Micros,
    /// Requests arriving in each [`BIN`], and how many of them were retries.
    pub offered: Vec<u32>,
    pub retries: Vec<u32>,
}

impl Run {
    /// Requests per second in a bin of `count`, as a multiple of capacity.
    fn load(&self, count: u32) -> f64 {
        let per_sec = f64::from(count) * (MICROS_PER_SEC as f64 / BIN as f64);
        per_sec / f64::from(self.config.capacity.max(1))
    }

    /// Highest offered load in any 100 ms bin, counting everything.
    pub fn peak_load(&self) -> f64 {
        self.load(self.offered.iter().copied().max().unwrap_or(0))
    }

    /// Highest offered load of retries alone: the first attempts at t = 0
    /// are the same for every strategy, so this is where they differ.
    pub fn peak_retry_load(&self) -> f64 {
        self.load(self.retries.iter().copied().max().unwrap_or(0))
    }

    pub fn completion_secs(&self) -> f64 {
        self.last_landing as f64 / MICROS_PER_SEC as f64
    }

    pub fn completion_over_ideal(&self) -> f64 {
        self.completion_secs() / self.config.ideal_secs()
    }

    pub fn requests_per_order(&self) -> f64 {
        self.requests as f64 / f64::from(self.landed.max(1))
    }

    /// Offered load as a multiple of capacity, averaged per whole second.
    pub fn load_per_second(&self) -> Vec<f64> {
        let per_second = (MICROS_PER_SEC / BIN) as usize;
        self.offered
            .chunks(per_second)
            .map(|chunk| {
                let requests: u32 = chunk.iter().sum();
                f64::from(requests) / f64::from(self.config.capacity.max(1))
            })
            .collect()
    }
}

/// Runs the herd once per strategy, in [`Strategy::ALL`]'s order.
pub fn simulate_all(config: Config) -> Vec<Run> {
    Strategy::ALL
        .iter()
        .map(|&strategy| simulate(config, strategy))
        .collect()
}

/// Runs the herd to the last order under `strategy`.
pub fn simulate(config: Config, strategy: Strategy) -> Run {
    let backoff = Backoff::default();
    let mut random = SplitMix64::new(config.seed);
    let mut server = Server::new(config.capacity, config.queue_limit);
    let mut failures = vec![0u32; config.diners as usize];
    let mut due: BinaryHeap<Reverse<(Micros, u32)>> = (0..config.diners)
        .map(|diner| Reverse((0, diner)))
        .collect();
    let mut run = Run {
        strategy,
        config,
        requests: 0,
        landed: 0,
        last_landing: 0,
        offered: Vec::new(),
        retries: Vec::new(),
    };
    while let Some(Reverse((now, diner))) = due.pop() {
        run.requests += 1;
        let bin = (now / BIN) as usize;
        if run.offered.len() <= bin {
            run.offered.resize(bin + 1, 0);
            run.retries.resize(bin + 1, 0);
        }
        run.offered[bin] += 1;
        let failed_before = &mut failures[diner as usize];
        if *failed_before > 0 {
            run.retries[bin] += 1;
        }
        match server.offer(now) {
            Answer::Accepted { lands_at } => {
                run.landed += 1;
                run.last_landing = run.last_landing.max(lands_at);
            }
            Answer::Shed { retry_after } => {
                *failed_before += 1;
                let wait = strategy.wait(&backoff, *failed_before, retry_after, &mut random);
                let wait = (wait.as_seconds_f64().max(0.0) * MICROS_PER_SEC as f64) as Micros;
                due.push(Reverse((now + wait, diner)));
            }
        }
    }
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Config {
        Config {
            diners: 5_000,
            capacity: 100,
            queue_limit: 200,
            seed: 7,
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_run() {
        for strategy in Strategy::ALL {
            assert_eq!(simulate(small(), strategy), simulate(small(), strategy));
        }
        let other_seed = Config { seed: 8, ..small() };
        assert_ne!(
            simulate(small(), Strategy::FullJitter).offered,
            simulate(other_seed, Strategy::FullJitter).offered
        );
    }

    #[test]
    fn every_order_lands_and_none_twice() {
        for strategy in Strategy::ALL {
            let run = simulate(small(), strategy);
            assert_eq!(run.landed, 5_000, "{strategy:?}");
            assert!(run.completion_over_ideal() >= 1.0, "{strategy:?}");
            assert_eq!(
                run.offered.iter().map(|&n| u64::from(n)).sum::<u64>(),
                run.requests
            );
        }
    }

    #[test]
    fn without_jitter_retries_come_in_waves_full_jitter_spreads() {
        let none = simulate(small(), Strategy::NoJitter);
        let full = simulate(small(), Strategy::FullJitter);
        assert!(
            none.peak_retry_load() > 5.0 * full.peak_retry_load(),
            "{} vs {}",
            none.peak_retry_load(),
            full.peak_retry_load()
        );
        assert!(none.completion_secs() > full.completion_secs());
    }

    #[test]
    fn a_server_with_room_for_everyone_takes_them_at_once() {
        let config = Config {
            diners: 1_000,
            capacity: 1_000,
            queue_limit: 1_000,
            seed: 1,
        };
        let run = simulate(config, Strategy::NoJitter);
        assert_eq!(run.requests, 1_000);
        assert_eq!(run.last_landing, MICROS_PER_SEC);
        assert!((run.completion_over_ideal() - 1.0).abs() < 1e-9);
    }
}
