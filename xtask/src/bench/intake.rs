//! Order intake under load: the real server on loopback, SQLite on disk,
//! `wrk` as a second process. Bounded: a few 10-second runs.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};

use super::wrk::{self, Load, WrkReport};

const SECONDS: u32 = 10;

pub fn report(root: &Path, server_bin: &Path) -> anyhow::Result<()> {
    let script = root.join("xtask/wrk/orders.lua");
    let created_at = rfc3339_now();
    let mut table = String::from(
        "| run | connections | req/s | p50 ms | p99 ms | answers | errors |\n|---|---|---|---|---|---|---|\n",
    );
    let mut row = |name: &str, connections: u32, report: &WrkReport, answers: String| {
        let _ = writeln!(
            table,
            "| {name} | {connections} | {:.0} | {:.2} | {:.2} | {answers} | {} |",
            report.requests_per_sec, report.p50_ms, report.p99_ms, report.socket_errors
        );
        println!(
            "{name:<28} c={connections:<4} {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>8.2} ms  {answers}  socket errors {}",
            report.requests_per_sec, report.p50_ms, report.p99_ms, report.socket_errors
        );
    };

    println!("\n== order intake (SQLite, synchronous=FULL, wrk on loopback, {SECONDS} s per run)");
    let server = BenchServer::start(server_bin, 4096)?;
    let code = server.table_code("A1")?;
    let health_url = format!("{}/healthz", server.base);
    let orders_url = format!("{}/api/v1/orders", server.base);
    let mut created = 0;
    let mut shares = Vec::new();
    for connections in [64, 512] {
        let ceiling = wrk::run(&Load {
            url: &health_url,
            connections,
            seconds: SECONDS,
            script: None,
            script_args: &[],
        })?;
        row("GET /healthz (ceiling)", connections, &ceiling, "—".into());
        let orders = wrk::run(&Load {
            url: &orders_url,
            connections,
            seconds: SECONDS,
            script: Some(&script),
            script_args: &["new", &created_at, &code],
        })?;
        created += orders.count(201);
        let share = 100.0 * orders.requests_per_sec / ceiling.requests_per_sec;
        row(
            "new orders (durable 201)",
            connections,
            &orders,
            statuses(&orders),
        );
        println!("{:<28} {share:.0}% of the /healthz ceiling", "");
        shares.push(format!(
            "new orders ÷ /healthz at {connections} connections: {share:.0}%"
        ));
    }
    let replays = wrk::run(&Load {
        url: &orders_url,
        connections: 512,
        seconds: SECONDS,
        script: Some(&script),
        script_args: &["replay", &created_at, &code],
    })?;
    row(
        "replays (same key and body)",
        512,
        &replays,
        statuses(&replays),
    );
    let stored = server.orders_created()?;
    drop(server);

    println!("\n== past capacity: --max-pending-orders 64, 512 connections");
    let small = BenchServer::start(server_bin, 64)?;
    let small_code = small.table_code("A1")?;
    let url = format!("{}/api/v1/orders", small.base);
    let overload = wrk::run(&Load {
        url: &url,
        connections: 512,
        seconds: SECONDS,
        script: Some(&script),
        script_args: &["new", &created_at, &small_code],
    })?;
    let shed = 100.0 * overload.count(503) as f64 / overload.answers().max(1) as f64;
    row(
        "past capacity",
        512,
        &overload,
        format!("{} ({shed:.0}% 503)", statuses(&overload)),
    );
    drop(small);

    for share in &shares {
        let _ = writeln!(table, "\n{share}");
    }
    let replay_creates = stored.saturating_sub(created);
    println!(
        "\ndurability check: {created} new-order 201s seen by wrk; the server counted {stored} orders created ({replay_creates} by the replay run's first request per key)"
    );
    let out = root.join("target/bench/intake.md");
    std::fs::create_dir_all(out.parent().context("target/bench")?)?;
    std::fs::write(&out, &table)?;
    println!("table written to {}", out.display());
    Ok(())
}

fn statuses(report: &WrkReport) -> String {
    report
        .statuses
        .iter()
        .map(|(status, count)| format!("{status}×{count}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The server under test, on a free port and a fresh database; stopped on drop.
/// Also the server `cargo xtask schemathesis` tests.
pub(crate) struct BenchServer {
    child: Child,
    pub(crate) base: String,
    /// The `--metrics-listen` port: `/metrics` without a token, as a scraper reads it.
    metrics_port: u16,
    _dir: TempDir,
}

/// Flags that switch off the per-address and per-device limits.
const UNLIMITED: [&str; 6] = [
    "--orders-per-address-per-minute",
    "0",
    "--orders-per-device-per-minute",
    "0",
    "--max-connections-per-address",
    "0",
];

impl BenchServer {
    pub(crate) fn start(bin: &Path, max_pending: usize) -> anyhow::Result<Self> {
        Self::start_with(bin, max_pending, &[])
    }

    /// The same server with extra flags.
    pub(crate) fn start_with(
        bin: &Path,
        max_pending: usize,
        extra: &[&str],
    ) -> anyhow::Result<Self> {
        Self::start_on(bin, None, max_pending, extra)
    }

    /// The same on `database` (a PostgreSQL URL) when given, else on a
    /// fresh SQLite file.
    pub(crate) fn start_on(
        bin: &Path,
        database: Option<&str>,
        max_pending: usize,
        extra: &[&str],
    ) -> anyhow::Result<Self> {
        let dir = TempDir::new()?;
        let port = free_port()?;
        let metrics_port = free_port()?;
        let database = database.map_or_else(
            || format!("sqlite://{}", dir.0.join("bench.sqlite3").display()),
            str::to_owned,
        );
        let child = Command::new(bin)
            .args(["--demo", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--metrics-listen", &format!("127.0.0.1:{metrics_port}")])
            .args(["--database", &database])
            .args(["--max-pending-orders", &max_pending.to_string()])
            // wrk is one script on one address: the limits meant for scripts
            // would measure themselves, not intake.
            .args(UNLIMITED)
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .context("cannot start wendan-server")?;
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            metrics_port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if http_get(port, "/healthz").is_ok_and(|body| body.ends_with("ok")) {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("wendan-server did not become healthy")
    }

    /// Table `id`'s code, from its QR link as the admin tables API lists it
    /// (the demo's admin token): what a diner's phone scanned.
    fn table_code(&self, id: &str) -> anyhow::Result<String> {
        let address = self.base.trim_start_matches("http://").parse()?;
        let answer = crate::http::request(
            address,
            "GET",
            "/api/v1/admin/tables",
            &[("authorization", "Bearer demo-admin")],
            Vec::new(),
        )?;
        let tables: serde_json::Value = serde_json::from_slice(&answer.body)
            .with_context(|| format!("tables: {}", answer.text()))?;
        tables
            .as_array()
            .into_iter()
            .flatten()
            .find(|table| table["id"] == id)
            .and_then(|table| table["url"].as_str())
            .and_then(|url| url.split_once("&code="))
            .map(|(_, code)| code.to_owned())
            .with_context(|| format!("no table {id} with a code in {tables}"))
    }

    /// The server's process id, to read its CPU time from /proc.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `wendan_orders_created_total` from /metrics.
    fn orders_created(&self) -> anyhow::Result<u64> {
        let metrics = http_get(self.metrics_port, "/metrics")?;
        metrics
            .lines()
            .find_map(|line| line.strip_prefix("wendan_orders_created_total "))
            .and_then(|value| value.trim().parse().ok())
            .context("no wendan_orders_created_total in /metrics")
    }
}

impl Drop for BenchServer {
    fn drop(&mut self) {
        // SIGTERM: a graceful stop that flushes the writer.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on now.
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A minimal HTTP/1.0 GET, to keep the bench free of an HTTP client crate.
pub fn http_get(port: u16, path: &str) -> anyhow::Result<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response.trim_end().to_owned())
}

/// The device clock as a diner's phone would send it.
fn rfc3339_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let (year, month, day) = civil_from_days(days as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm: days since 1970-01-01 → date.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A temporary directory removed on drop.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new() -> anyhow::Result<Self> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!("wendan-bench-{nanos}"));
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn converts_days_since_the_epoch_to_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
