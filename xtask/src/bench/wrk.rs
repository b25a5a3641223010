//! Running Debian's `wrk` and reading its report.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// One wrk run, as read from its output.
#[derive(Debug, Default, Clone)]
pub struct WrkReport {
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Answers by HTTP status, when the script counts them.
    pub statuses: BTreeMap<u16, u64>,
    pub socket_errors: u64,
}

impl WrkReport {
    pub fn count(&self, status: u16) -> u64 {
        self.statuses.get(&status).copied().unwrap_or(0)
    }

    pub fn answers(&self) -> u64 {
        self.statuses.values().sum()
    }
}

pub struct Load<'a> {
    pub url: &'a str,
    pub connections: u32,
    pub seconds: u32,
    pub script: Option<&'a Path>,
    pub script_args: &'a [&'a str],
}

pub fn run(load: &Load) -> anyhow::Result<WrkReport> {
    let mut command = Command::new("wrk");
    command
        .arg("--threads=2")
        .arg(format!("--connections={}", load.connections))
        .arg(format!("--duration={}s", load.seconds))
        .arg("--timeout=10s")
        .arg("--latency");
    if let Some(script) = load.script {
        command.arg("--script").arg(script);
    }
    command.arg(load.url);
    if !load.script_args.is_empty() {
        command.arg("--").args(load.script_args);
    }
    let output = command
        .output()
        .context("cannot run wrk (cargo xtask setup installs it)")?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "wrk failed: {}\n{text}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse(&text).with_context(|| format!("cannot read wrk's report:\n{text}"))
}

fn parse(text: &str) -> Option<WrkReport> {
    let mut report = WrkReport::default();
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", value] => report.requests_per_sec = value.parse().ok()?,
            ["50%", value] => report.p50_ms = millis(value)?,
            ["99%", value] => report.p99_ms = millis(value)?,
            ["status", code, count] => {
                report
                    .statuses
                    .insert(code.parse().ok()?, count.parse().ok()?);
            }
            ["Socket", "errors:", rest @ ..] => {
                report.socket_errors = rest
                    .iter()
                    .filter_map(|word| word.trim_end_matches(',').parse::<u64>().ok())
                    .sum();
            }
            _ => {}
        }
    }
    (report.requests_per_sec > 0.0).then_some(report)
}

/// `812.00us`, `1.23ms`, `1.05s` → milliseconds.
fn millis(value: &str) -> Option<f64> {
    let split = value.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse().ok()?;
    match unit {
        "us" => Some(number / 1000.0),
        "ms" => Some(number),
        "s" => Some(number * 1000.0),
        "m" => Some(number * 60_000.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Running 10s test @ http://127.0.0.1:1/api/v1/orders
  2 threads and 64 connections
  Latency Distribution
     50%    5.83ms
     75%    7.12ms
     90%    9.01ms
     99%    1.20s
  98765 requests in 10.00s, 60.12MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
Requests/sec:   9876.50
Transfer/sec:      6.01MB
status 201 98000
status 503 765
";

    #[test]
    fn reads_throughput_latency_statuses_and_errors() {
        let report = parse(SAMPLE).expect("parsable");
        assert_eq!(report.requests_per_sec, 9876.5);
        assert_eq!(report.p50_ms, 5.83);
        assert_eq!(report.p99_ms, 1200.0);
        assert_eq!(report.count(201), 98_000);
        assert_eq!(report.count(503), 765);
        assert_eq!(report.answers(), 98_765);
        assert_eq!(report.socket_errors, 5);
    }
}
