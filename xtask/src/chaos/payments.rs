//! `cargo xtask chaos --payments [--postgres] [--orders N] [--seed S]`:
//! pay-first diners pay in the payment sandbox while it misbehaves and the
//! server (or a replica) is killed with `kill -9` on a seeded schedule, so
//! that captures land while no server is there to hear the notification.
//! Then `wendan-server reconcile --day today`, as at the end of the day,
//! and the sandbox's ledger is compared with what the server holds
//! (`tests/chaos/payments.mjs verify`): no order captured twice, no paid
//! order that did not reach the kitchen (or was refunded), no order cooked
//! unpaid, nothing left unknown.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::backend::Backend;
use crate::process::tool;
use crate::{build, setup};

/// How long a diner has to pay in this run.
const WINDOW: Duration = Duration::from_secs(60);

/// The figures the verifier prints that must be 0.
const MUST_BE_ZERO: [&str; 7] = [
    "double_charges",
    "refunded_twice",
    "paid_orders_lost",
    "unpaid_cooked",
    "unpaid_on_board",
    "captures_of_no_order",
    "unknown_after_reconcile",
];

#[derive(Debug, Clone)]
pub struct Options {
    pub orders: u32,
    pub seed: u64,
    pub postgres: bool,
}

impl Options {
    /// The run inside `cargo xtask test`: SQLite, 20 orders, about two
    /// minutes (most of it the payment window running out).
    pub fn short() -> Self {
        Options {
            orders: 20,
            seed: 8,
            postgres: false,
        }
    }

    fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut options = Options {
            orders: 40,
            seed: 16,
            postgres: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--payments" => {}
                "--orders" => options.orders = value()?.parse()?,
                "--seed" => options.seed = value()?.parse()?,
                "--postgres" => options.postgres = true,
                _ => bail!(
                    "usage: cargo xtask chaos --payments [--orders N] [--seed S] [--postgres]"
                ),
            }
        }
        Ok(options)
    }
}

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let options = Options::parse(args)?;
    setup::run(root)?;
    let dist = build::widget(root)?;
    let server = build::server(root, build::Widget::Inside)?;
    run_with(root, &dist, &server, &options)
}

/// The payment sandbox as a child process, with its keys and address.
struct Sandbox {
    child: Child,
    url: String,
    keys: PathBuf,
}

impl Sandbox {
    fn start(bin: &Path, work: &Path, seed: u64) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let keys = work.join("paysim-keys");
        let log = std::fs::File::create(work.join("paysim.log"))?;
        let child = Command::new(bin)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--keys-dir")
            .arg(&keys)
            .args(["--seed", &seed.to_string()])
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("the payment sandbox did not listen");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Sandbox {
            child,
            url: format!("http://127.0.0.1:{port}"),
            keys,
        })
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn run_with(
    root: &Path,
    dist: &Path,
    server_bin: &Path,
    options: &Options,
) -> anyhow::Result<()> {
    let mode = if options.postgres {
        "payments-postgres-2-replicas"
    } else {
        "payments-sqlite"
    };
    println!(
        "\n== chaos ({mode}): {} pay-first orders, seed {}",
        options.orders, options.seed
    );
    let work = root.join("target/chaos").join(mode);
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let sandbox = Sandbox::start(
        &server_bin.with_file_name("wendan-paysim"),
        &work,
        options.seed,
    )?;
    // WeChat Pay and Alipay are told where to notify with every payment:
    // each server names itself. Stripe's webhook endpoint is registered with
    // the sandbox by the diners' script once the restaurant's address is known.
    let extra: Vec<String> = [
        "--payment",
        "pay-first",
        "--payment-sweep-seconds",
        "1",
        // A minute to pay: the reconciliation after the run can close every
        // attempt nobody paid (it never closes one before its expiry).
        "--payment-window-seconds",
        &WINDOW.as_secs().to_string(),
        "--public-url",
        "http://{self}",
        "--payment-sandbox-url",
        &sandbox.url,
        "--payment-sandbox",
        &sandbox.keys.display().to_string(),
    ]
    .map(str::to_owned)
    .to_vec();
    let mut backend = if options.postgres {
        Backend::postgres_with(&work, server_bin, dist, &extra)?
    } else {
        Backend::sqlite_with(&work, server_bin, dist, &extra)?
    };
    let result = exercise(
        root,
        &work,
        server_bin,
        &extra,
        options,
        &sandbox,
        &mut backend,
    );
    let stopped = backend.stop();
    let figures = result?;
    stopped?;
    if figures["captures"].as_u64().unwrap_or(0) == 0 {
        bail!(
            "chaos ({mode}): nothing was paid, so nothing was tested; logs in {}",
            work.display()
        );
    }
    let failed: Vec<String> = MUST_BE_ZERO
        .iter()
        .filter(|name| figures[**name].as_u64() != Some(0))
        .map(|name| format!("{name} = {}", figures[*name]))
        .collect();
    if !failed.is_empty() {
        bail!(
            "chaos ({mode}): {}; logs in {}",
            failed.join(", "),
            work.display()
        );
    }
    Ok(())
}

fn exercise(
    root: &Path,
    work: &Path,
    server_bin: &Path,
    extra: &[String],
    options: &Options,
    sandbox: &Sandbox,
    backend: &mut Backend,
) -> anyhow::Result<serde_json::Value> {
    let out = work.join("orders.json");
    let address = backend.address();
    let diners = |command: &str| {
        let mut diners = tool(root, "node");
        diners
            .args(["tests/chaos/payments.mjs", command])
            .env("CHAOS_URL", format!("http://{address}"))
            .env("PAYSIM_URL", &sandbox.url)
            .env("CHAOS_ORDERS", options.orders.to_string())
            .env("CHAOS_SEED", options.seed.to_string())
            .env("CHAOS_OUT", &out)
            .stdout(Stdio::piped());
        diners
    };
    let started = Instant::now();
    let mut paying = diners("pay").spawn().context("cannot run node")?;
    // Kills at seeded moments while the diners pay: 1.5–4 s apart, each
    // server down for 0.2–1.2 s (long enough for notifications to miss it).
    let mut rng = options.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut kills = 0;
    loop {
        let gap = Duration::from_millis(1500 + next() % 2500);
        let deadline = Instant::now() + gap;
        while Instant::now() < deadline {
            if paying.try_wait()?.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if paying.try_wait()?.is_some() {
            break;
        }
        let (victim, name) = backend.victim(kills);
        victim.kill();
        kills += 1;
        println!("  kill -9 {name} at {:.1?}", started.elapsed());
        std::thread::sleep(Duration::from_millis(200 + next() % 1000));
        victim.restart()?;
    }
    let status = paying.wait()?;
    if let Some(stdout) = paying.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("  {line}");
        }
    }
    if !status.success() {
        bail!("the paying diners failed ({status})");
    }
    backend.ensure_up()?;
    // As at the end of the day: every attempt past the restaurant's window,
    // and the day closed (a Stripe Checkout session lives at least 30 min,
    // so a walk-away's is closed by `--close-open`, not by its expiry).
    println!(
        "  {kills} kills while paying; closing the day once the payment window has passed ({} s)",
        WINDOW.as_secs()
    );
    std::thread::sleep(WINDOW + Duration::from_secs(2));
    let reconciled = Command::new(server_bin)
        .args(["--database", &backend.database_url(), "--demo"])
        .args(extra.iter().map(|arg| arg.replace("{self}", "127.0.0.1:9")))
        .args(["reconcile", "--day", "today", "--close-open"])
        .env("RUST_LOG", "warn")
        .output()
        .context("cannot run wendan-server reconcile")?;
    for line in String::from_utf8_lossy(&reconciled.stdout).lines() {
        println!("  reconcile: {line}");
    }
    let verdict = diners("verify")
        .output()
        .context("cannot run the verifier")?;
    let mut figures = None;
    for line in String::from_utf8_lossy(&verdict.stdout).lines() {
        println!("  {line}");
        if let Some(json) = line.strip_prefix("chaos-payments: ") {
            figures = Some(serde_json::from_str(json)?);
        }
    }
    if !verdict.status.success() {
        bail!(
            "the verifier failed: {}",
            String::from_utf8_lossy(&verdict.stderr)
        );
    }
    figures.context("the verifier printed no figures")
}
