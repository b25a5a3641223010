//! `cargo xtask chaos`: diners in Chromium place orders through the real
//! widget while a fault proxy and `kill -9` do their worst; then every order
//! key a widget holds is checked against the server's database.
//!
//! - `schedule`: the seeded fault schedule.
//! - `proxy`: the fault injector between the browsers and the server.
//! - `backend`: the server on SQLite, or two replicas on PostgreSQL behind nginx.
//! - `verify`: widgets vs database, and the printed table.
//! - `payments` (`--payments`): pay-first diners paying while the sandbox
//!   misbehaves and servers are killed; the sandbox's ledger vs the database.
//!
//! The diners are `tests/chaos/chaos.mjs` (Playwright, Debian's Chromium).

mod backend;
pub mod payments;
mod proxy;
mod schedule;
mod verify;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::process::tool;
use crate::{build, setup};
use backend::Backend;
use proxy::Proxy;
use schedule::{Fault, Schedule};
use verify::DinerRecord;

/// How often `--upgrade` replaces the next server.
const UPGRADE_EVERY: Duration = Duration::from_secs(20);

/// The line the diners print when every order has been placed.
const PLACING_DONE: &str = "chaos: placing done";

#[derive(Debug, Clone)]
pub struct Options {
    pub diners: u32,
    pub orders: u32,
    pub seed: u64,
    pub postgres: bool,
    /// Diner pages open at once: 2 cores run a few browsers well, not 20.
    pub active: u32,
    /// `--upgrade [BIN]`: no faults; a rolling upgrade instead, each server
    /// in turn stopped with SIGTERM and replaced by `BIN` (by default the
    /// same build) while the diners order.
    pub upgrade: Option<Option<PathBuf>>,
}

impl Options {
    /// The full run: 20 diners × 25 orders = 500 orders.
    fn full() -> Self {
        Self {
            diners: 20,
            orders: 25,
            seed: 2026,
            postgres: false,
            active: 5,
            upgrade: None,
        }
    }

    /// The short seeded run inside `cargo xtask test`: every fault kind,
    /// at least one `kill -9`, in about two minutes.
    pub fn short() -> Self {
        Self {
            diners: 6,
            orders: 5,
            seed: 8,
            postgres: false,
            active: 3,
            upgrade: None,
        }
    }

    /// The rolling upgrade inside `cargo xtask test`: PostgreSQL, two
    /// replicas behind nginx, each replaced once (about two and a half minutes).
    pub fn rolling_upgrade() -> Self {
        Self {
            diners: 4,
            orders: 8,
            seed: 8,
            postgres: true,
            active: 2,
            upgrade: Some(None),
        }
    }

    fn parse(args: impl IntoIterator<Item = String>) -> anyhow::Result<Self> {
        let mut options = Self::full();
        let mut args = args.into_iter().peekable();
        while let Some(arg) = args.next() {
            if arg == "--upgrade" {
                let to = args
                    .next_if(|next| !next.starts_with("--"))
                    .map(PathBuf::from);
                options.upgrade = Some(to);
                continue;
            }
            let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--diners" => options.diners = value()?.parse()?,
                "--orders" => options.orders = value()?.parse()?,
                "--seed" => options.seed = value()?.parse()?,
                "--active" => options.active = value()?.parse()?,
                "--postgres" => options.postgres = true,
                _ => bail!(
                    "usage: cargo xtask chaos [--diners N] [--orders N] [--seed S] [--active N] [--postgres] [--upgrade [BIN]]"
                ),
            }
        }
        Ok(options)
    }
}

/// `cargo xtask chaos [...]`: release builds, then one run.
pub fn run(root: &Path) -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(2).collect();
    if args.iter().any(|arg| arg == "--payments") {
        return payments::run(root, &args);
    }
    let options = Options::parse(args)?;
    setup::run(root)?;
    let dist = build::widget(root)?;
    let server = build::server(root, build::Widget::Inside)?;
    run_with(root, &dist, &server, &options)
}

/// One chaos run against the builds in `dist` and `server_bin`.
pub fn run_with(
    root: &Path,
    dist: &Path,
    server_bin: &Path,
    options: &Options,
) -> anyhow::Result<()> {
    let mode = match (options.postgres, options.upgrade.is_some()) {
        (true, false) => "postgres-2-replicas",
        (false, false) => "sqlite",
        (true, true) => "postgres-2-replicas-rolling-upgrade",
        (false, true) => "sqlite-restart",
    };
    println!(
        "\n== chaos ({mode}): {} diners × {} orders, seed {}",
        options.diners, options.orders, options.seed
    );
    let work = root.join("target/chaos").join(mode);
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;

    let schedule = match options.upgrade {
        // One server replaced every 20 s: SQLite's one, or each replica.
        Some(_) => Schedule::rolling_upgrade(if options.postgres { 2 } else { 1 }, UPGRADE_EVERY),
        None => Schedule::generate(options.seed, Duration::from_secs(3600)),
    };
    let upgrade_to = match &options.upgrade {
        Some(Some(bin)) => bin.clone(),
        _ => server_bin.to_owned(),
    };
    let mut backend = if options.postgres {
        Backend::postgres(&work, server_bin, dist)?
    } else {
        Backend::sqlite(&work, server_bin, dist)?
    };
    // The servers, nginx and the cluster stop whatever happened.
    let result = exercise(
        root,
        &work,
        mode,
        options,
        &schedule,
        &upgrade_to,
        &mut backend,
    );
    let stopped = backend.stop();
    let report = result?;
    stopped?;
    if !report.clean() {
        bail!(
            "chaos ({mode}): {} lost, {} duplicated, {} stuck; logs in {}",
            report.lost,
            report.duplicates,
            report.stuck,
            work.display()
        );
    }
    Ok(())
}

/// The diners against `backend` through the proxy, then the verdict.
fn exercise(
    root: &Path,
    work: &Path,
    mode: &str,
    options: &Options,
    schedule: &Schedule,
    upgrade_to: &Path,
    backend: &mut Backend,
) -> anyhow::Result<verify::Report> {
    // Diner n orders at table C<n> (tests/chaos/chaos.mjs), with its code.
    let codes = backend.create_tables((1..=options.diners).map(|n| format!("C{n}")))?;
    let proxy = Proxy::start(backend.address(), schedule.clone())?;
    let out = work.join("diners.json");
    let mut diners = tool(root, "node")
        .arg("tests/chaos/chaos.mjs")
        .env("CHAOS_URL", format!("http://127.0.0.1:{}", proxy.port))
        .env("CHAOS_TABLE_CODES", codes)
        .env("CHAOS_DINERS", options.diners.to_string())
        .env("CHAOS_ORDERS", options.orders.to_string())
        .env("CHAOS_SEED", options.seed.to_string())
        .env("CHAOS_ACTIVE", options.active.to_string())
        .env(
            "CHAOS_MIN_SECONDS",
            schedule.first_round_end.as_secs().to_string(),
        )
        .env("CHAOS_OUT", &out)
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot run node")?;
    let (placing_done, done) = mpsc::channel();
    let stdout = diners.stdout.take().context("the diners' stdout")?;
    let echo = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("  {line}");
            if line == PLACING_DONE {
                let _ = placing_done.send(());
            }
        }
    });

    // The faults run until every order is placed; kills and upgrades come from here.
    let mut kills = 0;
    let mut upgrades = 0;
    loop {
        if let Some(at) = schedule
            .upgrades
            .get(upgrades)
            .filter(|at| proxy.elapsed() >= **at)
        {
            let (server, name) = backend.victim(upgrades);
            println!("  upgrade: stopping {name} (SIGTERM) at {at:.0?}");
            match server.upgrade_to(upgrade_to) {
                Ok(drain) => println!(
                    "  upgrade: {name} drained in {} ms; the new build is up at {:.1?}",
                    drain.as_millis(),
                    proxy.elapsed()
                ),
                Err(error) => {
                    let _ = diners.kill();
                    return Err(error);
                }
            }
            upgrades += 1;
        }
        if done.try_recv().is_ok() || diners.try_wait()?.is_some() {
            break;
        }
        if let Some(kill) = schedule
            .kills
            .get(kills)
            .filter(|k| proxy.elapsed() >= k.at)
        {
            let (victim, name) = backend.victim(kills);
            println!("  chaos: kill -9 {name} at {:.0?}", proxy.elapsed());
            victim.kill();
            std::thread::sleep(kill.down);
            if let Err(error) = victim.restart() {
                let _ = diners.kill();
                return Err(error);
            }
            println!("  chaos: {name} restarted at {:.0?}", proxy.elapsed());
            kills += 1;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    proxy.calm();
    backend.ensure_up()?;
    println!(
        "  chaos: faults over at {:.0?}; delivery settles",
        proxy.elapsed()
    );
    let status = diners.wait()?;
    let _ = echo.join();
    if !status.success() {
        bail!("the diners failed ({status}); logs in {}", work.display());
    }

    let records: Vec<DinerRecord> = serde_json::from_slice(
        &std::fs::read(&out).with_context(|| format!("no {}", out.display()))?,
    )?;
    let stored = backend.stored_orders()?;
    let stats = proxy.stats();
    let posts = stats
        .order_posts
        .lock()
        .map(|posts| posts.clone())
        .unwrap_or_default();
    let report = verify::compare(&records, &stored, &posts);
    let with_worker = records.iter().filter(|d| d.service_worker).count();
    let mut summary = format!(
        "{mode}: {} diners ({with_worker} with the service worker, {} in no-service-worker mode), seed {}\n\n",
        records.len(),
        records.len() - with_worker,
        options.seed
    );
    summary.push_str(&verify::table(&report));
    let hits = stats
        .faults
        .lock()
        .map(|faults| faults.clone())
        .unwrap_or_default();
    let faults = hits
        .iter()
        .map(|(name, count)| format!("{name} {count}"))
        .collect::<Vec<_>>()
        .join(", ");
    if !schedule.upgrades.is_empty() {
        summary.push_str(&format!(
            "\nrolling upgrade: {upgrades} of {} servers replaced (SIGTERM, drain, the new build started); \
             no proxy faults; requests through the proxy: {}, of which found no server: {}\n",
            schedule.upgrades.len(),
            stats.requests.load(Ordering::Relaxed),
            stats.upstream_down.load(Ordering::Relaxed),
        ));
        if upgrades < schedule.upgrades.len() {
            bail!("the diners finished before every server was replaced: order more (--orders)");
        }
        println!("\n{summary}");
        std::fs::write(
            root.join("target/chaos").join(format!("{mode}.md")),
            &summary,
        )?;
        return Ok(report);
    }
    // A kind no request met was scheduled but proved nothing this time.
    let missed: Vec<&str> = Fault::KINDS
        .iter()
        .map(|fault| fault.name())
        .filter(|name| !hits.contains_key(name))
        .chain((kills == 0).then_some("kill -9"))
        .collect();
    summary.push_str(&format!(
        "\nfaults (requests hit; refusals: windows + kept-alive requests): {faults}; \
         kill -9: {kills}; requests through the proxy: {}, of which found no server: {}\n",
        stats.requests.load(Ordering::Relaxed),
        stats.upstream_down.load(Ordering::Relaxed),
    ));
    if !missed.is_empty() {
        summary.push_str(&format!(
            "warning: no request met {} (a short run; more orders exercise every kind)\n",
            missed.join(", ")
        ));
    }
    if let Some(balance) = backend.balancer_summary(work) {
        summary.push_str(&format!("{balance}\n"));
    }
    println!("\n{summary}");
    std::fs::write(
        root.join("target/chaos").join(format!("{mode}.md")),
        &summary,
    )?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{Options, Schedule, UPGRADE_EVERY};

    #[test]
    fn parses_the_flags() {
        let args = [
            "--diners",
            "3",
            "--orders",
            "4",
            "--seed",
            "9",
            "--postgres",
        ];
        let options = Options::parse(args.map(String::from)).expect("valid");
        assert_eq!((options.diners, options.orders, options.seed), (3, 4, 9));
        assert!(options.postgres);
        assert!(Options::parse(["--bogus".to_owned()]).is_err());
        assert!(Options::parse(["--diners".to_owned()]).is_err());
        assert_eq!(options.upgrade, None);
    }

    #[test]
    fn an_upgrade_takes_the_new_build_or_reuses_this_one() {
        let to = |args: &[&str]| {
            Options::parse(args.iter().map(|arg| arg.to_string()))
                .expect("valid")
                .upgrade
        };
        assert_eq!(to(&["--upgrade"]), Some(None));
        assert_eq!(to(&["--upgrade", "--postgres"]), Some(None));
        assert_eq!(
            to(&["--upgrade", "/tmp/new/wendan-server", "--postgres"]),
            Some(Some(PathBuf::from("/tmp/new/wendan-server")))
        );
        let schedule = Schedule::rolling_upgrade(2, UPGRADE_EVERY);
        assert_eq!(schedule.upgrades, [UPGRADE_EVERY, UPGRADE_EVERY * 2]);
        assert!(schedule.windows.is_empty() && schedule.kills.is_empty());
        assert!(schedule.first_round_end > UPGRADE_EVERY * 2);
    }
}
