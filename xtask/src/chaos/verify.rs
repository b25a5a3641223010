//! The verdict: every order key a widget holds against the server's
//! database. Plain functions over plain data, so the counting is tested.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use serde::Deserialize;

/// What one diner's browser reported at the end (from `tests/chaos/chaos.mjs`).
#[derive(Debug, Clone, Deserialize)]
pub struct DinerRecord {
    pub service_worker: bool,
    /// Taps on "Place order" that went through.
    pub taps: u64,
    /// Every order in the diner's My orders: key and `data-state`.
    pub orders: Vec<WidgetOrder>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WidgetOrder {
    pub key: String,
    pub state: String,
}

/// States that mean "the restaurant has it" (the kitchen may have moved it on).
const RECEIVED: [&str; 5] = ["received", "preparing", "ready", "completed", "cancelled"];

#[derive(Debug, Default, PartialEq)]
pub struct Report {
    pub placed: u64,
    pub delivered: u64,
    pub duplicates: u64,
    pub lost: u64,
    pub stuck: u64,
    pub retries: u64,
    pub delay_p50_ms: f64,
    pub delay_p99_ms: f64,
    /// The same, for diners with the service worker and without: a page
    /// without one delivers only while it is open.
    pub delay_by_mode: [(f64, f64); 2],
    /// Widget orders not received, by state, to say what "stuck" was.
    pub stuck_states: BTreeMap<String, u64>,
}

impl Report {
    pub fn clean(&self) -> bool {
        self.lost == 0 && self.duplicates == 0 && self.stuck == 0
    }
}

/// Compares the widgets with the server's rows (`key`, delay in ms) and the
/// proxy's count of `POST /api/v1/orders` per key.
pub fn compare(
    diners: &[DinerRecord],
    stored: &[(String, f64)],
    posts: &HashMap<String, u64>,
) -> Report {
    let mut report = Report::default();
    let mut rows: HashMap<&str, (u64, f64)> = HashMap::new();
    for (key, delay) in stored {
        rows.entry(key.as_str()).or_insert((0, *delay)).0 += 1;
    }
    let mut held = HashSet::new();
    let mut delays = Vec::new();
    let mut by_mode = [Vec::new(), Vec::new()];
    for diner in diners {
        report.placed += diner.taps;
        let entries = diner.orders.len() as u64;
        // A tap that left no order behind is lost; an order beyond the
        // taps is one tap saved twice.
        report.lost += diner.taps.saturating_sub(entries);
        report.duplicates += entries.saturating_sub(diner.taps);
        for order in &diner.orders {
            if !held.insert(order.key.as_str()) {
                report.duplicates += 1;
            }
            let received = RECEIVED.contains(&order.state.as_str());
            match rows.get(order.key.as_str()) {
                None => report.lost += 1,
                Some((_, delay)) if received => {
                    report.delivered += 1;
                    delays.push(*delay);
                    by_mode[usize::from(!diner.service_worker)].push(*delay);
                }
                Some(_) => {}
            }
            if !received {
                report.stuck += 1;
                *report.stuck_states.entry(order.state.clone()).or_default() += 1;
            }
        }
    }
    for (key, (count, _)) in &rows {
        // The key is unique in the database, so this stays 0 unless that breaks;
        // an order no widget holds is a second copy of somebody's tap.
        report.duplicates += count - 1;
        if !held.contains(key) {
            report.duplicates += 1;
        }
    }
    report.retries = posts.values().map(|count| count.saturating_sub(1)).sum();
    delays.sort_by(f64::total_cmp);
    report.delay_p50_ms = percentile(&delays, 50.0);
    report.delay_p99_ms = percentile(&delays, 99.0);
    for (mode, mut delays) in by_mode.into_iter().enumerate() {
        delays.sort_by(f64::total_cmp);
        report.delay_by_mode[mode] = (percentile(&delays, 50.0), percentile(&delays, 99.0));
    }
    report
}

/// Nearest-rank percentile of sorted values; 0 for none.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The printed table (Markdown, so it goes into docs as it is).
pub fn table(report: &Report) -> String {
    let mut out = String::from(
        "| placed | delivered | duplicates | lost | stuck | retries | delay p50 | delay p99 |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {:.0} ms | {:.0} ms |",
        report.placed,
        report.delivered,
        report.duplicates,
        report.lost,
        report.stuck,
        report.retries,
        report.delay_p50_ms,
        report.delay_p99_ms
    );
    let [(sw_50, sw_99), (page_50, page_99)] = report.delay_by_mode;
    let _ = writeln!(
        out,
        "\ndelay p50 / p99 with the service worker: {sw_50:.0} / {sw_99:.0} ms; \
         without (webview mode): {page_50:.0} / {page_99:.0} ms"
    );
    if !report.stuck_states.is_empty() {
        let _ = writeln!(out, "\nnot received, by state: {:?}", report.stuck_states);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diner(taps: u64, orders: &[(&str, &str)]) -> DinerRecord {
        DinerRecord {
            service_worker: false,
            taps,
            orders: orders
                .iter()
                .map(|(key, state)| WidgetOrder {
                    key: (*key).into(),
                    state: (*state).into(),
                })
                .collect(),
        }
    }

    fn rows(keys: &[(&str, f64)]) -> Vec<(String, f64)> {
        keys.iter().map(|(k, d)| ((*k).into(), *d)).collect()
    }

    #[test]
    fn a_clean_run_counts_delivered_retries_and_delays() {
        let diners = [
            diner(2, &[("a", "received"), ("b", "preparing")]),
            diner(1, &[("c", "received")]),
        ];
        let stored = rows(&[("a", 100.0), ("b", 300.0), ("c", 200.0)]);
        let posts = HashMap::from([("a".into(), 3), ("b".into(), 1), ("c".into(), 1)]);
        let report = compare(&diners, &stored, &posts);
        assert!(report.clean(), "{report:?}");
        assert_eq!((report.placed, report.delivered, report.retries), (3, 3, 2));
        assert_eq!((report.delay_p50_ms, report.delay_p99_ms), (200.0, 300.0));
        // All three diners' orders are from diners without the worker.
        assert_eq!(report.delay_by_mode, [(0.0, 0.0), (200.0, 300.0)]);
    }

    #[test]
    fn a_key_missing_on_the_server_is_lost_and_stuck_if_not_received() {
        let diners = [diner(2, &[("a", "received"), ("b", "saved")])];
        let report = compare(&diners, &rows(&[("a", 1.0)]), &HashMap::new());
        assert_eq!((report.lost, report.stuck, report.delivered), (1, 1, 1));
        assert_eq!(report.stuck_states.get("saved"), Some(&1));
        assert!(!report.clean());
    }

    #[test]
    fn a_tap_without_an_order_is_lost() {
        let report = compare(
            &[diner(2, &[("a", "received")])],
            &rows(&[("a", 1.0)]),
            &HashMap::new(),
        );
        assert_eq!(report.lost, 1);
    }

    #[test]
    fn an_order_no_widget_holds_or_a_second_entry_is_a_duplicate() {
        let orphan = compare(
            &[diner(1, &[("a", "received")])],
            &rows(&[("a", 1.0), ("x", 1.0)]),
            &HashMap::new(),
        );
        assert_eq!(orphan.duplicates, 1);
        let twice = compare(
            &[diner(1, &[("a", "received"), ("b", "received")])],
            &rows(&[("a", 1.0), ("b", 1.0)]),
            &HashMap::new(),
        );
        assert_eq!(twice.duplicates, 1);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), 50.0);
        assert_eq!(percentile(&values, 99.0), 99.0);
        assert_eq!(percentile(&[], 99.0), 0.0);
    }
}
