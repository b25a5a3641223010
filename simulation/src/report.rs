//! The comparison as a Markdown table, for the terminal and docs/reliability.md.

use std::fmt::Write;

use crate::Run;
use crate::herd::BIN;

const BINS_PER_SEC: f64 = (crate::MICROS_PER_SEC / BIN) as f64;

pub fn table(runs: &[Run]) -> String {
    let mut out = String::from(
        "| Strategy | Peak retry load ÷ capacity (100 ms bins) | Last order lands | ÷ ideal | Requests per order |\n\
         |---|---:|---:|---:|---:|\n",
    );
    for run in runs {
        let _ = writeln!(
            out,
            "| {} | {:.1} | {:.0} s | {:.2} | {:.2} |",
            run.strategy.label(),
            run.peak_retry_load(),
            run.completion_secs(),
            run.completion_over_ideal(),
            run.requests_per_order(),
        );
    }
    out
}

/// One line saying what was simulated, to print above the table.
pub fn setting(run: &Run) -> String {
    let config = run.config;
    format!(
        "{} diners at t = 0; server completes {} orders/s, admits {} at once, sheds with 503 + Retry-After; \
         ideal {:.0} s; seed {}; the first attempts alone are {:.0}× capacity in the first 100 ms, for every strategy",
        config.diners,
        config.capacity,
        config.queue_limit,
        config.ideal_secs(),
        config.seed,
        f64::from(config.diners) * BINS_PER_SEC / f64::from(config.capacity.max(1)),
    )
}

/// The outage comparison (`crate::outage`), with the herd an `online`
/// event makes of the same phones (all sendable at once) for reference.
pub fn outage_table(runs: &[crate::OutageRun], online: &Run) -> String {
    let mut out = String::from(
        "| How a waiting phone learns the server is back | Half the orders landed | Last order lands | Peak order load ÷ capacity | Peak probe load ÷ capacity | Probes per phone | Order requests per order |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    for run in runs {
        let diners = f64::from(run.config.diners.max(1));
        let _ = writeln!(
            out,
            "| {} | {:.1} s | {:.0} s | {:.1} | {:.1} | {:.2} | {:.2} |",
            run.notice.label(),
            run.median_landing_secs(),
            run.last_landing_secs(),
            run.peak_order_load(),
            run.peak_probe_load(),
            run.probes as f64 / diners,
            run.order_requests as f64 / diners,
        );
    }
    let _ = writeln!(
        out,
        "| for reference: an `online` event (every order at once) | – | {:.0} s | {:.1} | – | – | {:.2} |",
        online.completion_secs(),
        online.peak_load(),
        online.requests_per_order(),
    );
    out
}

/// What the outage simulated, to print above its table.
pub fn outage_setting(config: &crate::OutageConfig) -> String {
    format!(
        "{} phones each place one order at a random moment of a {} s outage with no `online` event; \
         the server is back at t = 0 (times below are after that), completes {} orders/s and admits {} at once; seed {}",
        config.diners, config.outage_secs, config.capacity, config.queue_limit, config.seed,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Strategy, simulate_all};

    #[test]
    fn has_a_row_per_strategy() {
        let runs = simulate_all(Config {
            diners: 100,
            capacity: 50,
            queue_limit: 10,
            seed: 1,
        });
        let table = table(&runs);
        assert_eq!(table.lines().count(), 2 + Strategy::ALL.len());
        assert!(table.contains("| full jitter + Retry-After |"));
    }
}
