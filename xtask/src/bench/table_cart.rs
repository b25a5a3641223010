//! The table's shared cart (issue 18) at a lunch rush: 200 tables of 6
//! phones on loopback, every phone holding its table's live stream (1,200
//! Server-Sent Event streams), while phones push their changes.
//!
//! Two figures, against the release server on SQLite (and on PostgreSQL
//! when asked):
//!
//! - **tap → other phones**: from the moment a phone sends a push until each
//!   of the table's five other phones has a cart on its stream that includes
//!   it (the pusher's `acks` entry has reached the push's last `seq`), at a
//!   steady rate the machine sustains, over a fixed number of pushes;
//! - **throughput**: every table pushing back to back (one push in flight
//!   per table), one change per push and then eight, for a few seconds:
//!   pushes and changes per second, with the push's own latency.
//!
//! The phases run one after the other on one server, the steady one first:
//! past the server's capacity its streams fall behind on the news of other
//! tables' changes and catch up for a long while after (docs/benchmarks.md),
//! which would weigh on whatever ran next.
//!
//! The load generator is this process (hyper's client on a 2-thread tokio
//! runtime, xtask's debug build), on the same cores as the server: each
//! phase says how much CPU each side took, and how much of the server's
//! went to SQLite's writer (or how much PostgreSQL took). Bounded: a fixed
//! count of pushes, then two runs of a few seconds: about 30 s on SQLite,
//! 40 s more on PostgreSQL.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use wendan_tablecart::{CartPush, Change, Diner, LineId, Mutation, NewLine, Outcome, PhoneId};

use super::intake::BenchServer;
use crate::build;
use crate::postgres::TestPostgres;

const TABLES: usize = 200;
const PHONES: usize = 6;
/// The steady phase's rate, all tables together: what this 2-core machine
/// sustains. Each push wakes every stream in the server, not only its
/// table's six (docs/benchmarks.md), so with 1,200 streams the server is
/// saturated from about 15 pushes/s on; past that the figure below would
/// be a queue's, which the flat-out phases show.
const STEADY_PUSHES_PER_SEC: f64 = 10.0;
/// Pushes in the steady phase, one per table: 1,000 deliveries to measure.
const STEADY_PUSHES: usize = 200;
/// How long each flat-out phase pushes.
const FLAT_OUT: Duration = Duration::from_secs(4);
/// Changes per push in the second flat-out phase: a phone that was offline
/// for a moment sends its queue in one push.
const BATCH: usize = 8;
/// How long a phase's last pushes may take to reach every phone before the
/// rest counts as not delivered.
const DRAIN: Duration = Duration::from_secs(5);
/// A push later than this behind its schedule is counted as sent late: the
/// rate was not sustained.
const LATE: Duration = Duration::from_millis(5);

/// The phones at each table; a phone's index is its bit in `seen_by`.
const PHONE_IDS: [&str; PHONES] = [
    "phone-1", "phone-2", "phone-3", "phone-4", "phone-5", "phone-6",
];
const EVERY_PHONE: u8 = (1 << PHONES) - 1;

/// `cargo xtask bench table-cart`: this benchmark alone, to iterate on the
/// cart. The server is built as `cargo xtask build` builds it, with the
/// widget inside when `dist/` is there (cargo does nothing if it is up to
/// date; building the other way round would compile the server crate again).
/// `WENDAN_SERVER_BIN=path` runs that binary instead and builds nothing: a
/// copy kept while the tree changes, or an older build to compare with.
pub fn run_alone(root: &Path, postgres: bool) -> anyhow::Result<()> {
    if let Some(bin) = std::env::var_os("WENDAN_SERVER_BIN") {
        return report(root, Path::new(&bin), postgres);
    }
    let widget = if root.join("dist/index.html").exists() {
        build::Widget::Inside
    } else {
        build::Widget::Apart
    };
    let server = build::server(root, widget)?;
    report(root, &server, postgres)
}

/// On SQLite, and then on PostgreSQL when `postgres` (40 s more, so only
/// when asked: `cargo xtask bench table-cart --postgres`).
pub fn report(root: &Path, server_bin: &Path, postgres: bool) -> anyhow::Result<()> {
    let mut table = String::from(
        "| backend | phase | pushes | changes | pushes/s | changes/s | push p50 ms | push p99 ms | tap → other phones: n | p50 ms | p95 ms | p99 ms | max ms | not delivered | failed pushes | CPU, cores |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut broken = Vec::new();
    let backends: &[Backend] = if postgres {
        &[Backend::Sqlite, Backend::Postgres]
    } else {
        &[Backend::Sqlite]
    };
    for &backend in backends {
        println!(
            "\n== the table's shared cart ({}): {TABLES} tables × {PHONES} phones, {} live streams, on loopback",
            backend.name(),
            TABLES * PHONES
        );
        let phases = on(backend, server_bin)?;
        for phase in &phases {
            phase.row(backend, &mut table);
        }
        // The steady rate is the promise: there every push must reach
        // every phone. Flat out, what fails is a finding, printed above.
        let steady = &phases[0];
        let failed: u64 = steady.errors.values().sum();
        if steady.undelivered > 0 || failed > 0 {
            broken.push(format!(
                "{}: {} deliveries never reached a phone and {failed} pushes failed at the steady rate",
                backend.name(),
                steady.undelivered
            ));
        }
    }
    let out = root.join("target/bench/table-cart.md");
    std::fs::create_dir_all(out.parent().context("target/bench")?)?;
    std::fs::write(&out, &table)?;
    println!("table written to {}", out.display());
    if !broken.is_empty() {
        bail!("{}", broken.join("; "));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    /// One replica on a throwaway cluster (`crate::postgres`) in its own
    /// directory, on a port free now: never the tests' or chaos's cluster,
    /// nor another session's on this machine.
    Postgres,
}

const POSTGRES_DIR: &str = "/tmp/wendan-bench-postgres";

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// Starts the server on `backend` and measures it.
fn on(backend: Backend, server_bin: &Path) -> anyhow::Result<Vec<Phase>> {
    let postgres = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            let port = std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port();
            Some(Cluster(TestPostgres::start_at(port, POSTGRES_DIR)?))
        }
    };
    let database = postgres.as_ref().map(|cluster| cluster.0.url());
    // One address holds all 1,200 streams here; the default is 64 per
    // address (a NAT of phones), 4,096 in all.
    let streams_per_address = (TABLES * PHONES).to_string();
    let flags = [
        "--table-cart",
        "shared",
        "--max-event-streams-per-address",
        &streams_per_address,
    ];
    let server = BenchServer::start_on(server_bin, database.as_deref(), 4096, &flags)?;
    println!(
        "server flags: {} (default 64 per address), --max-event-streams 4096 (the default)",
        flags.join(" ")
    );
    let address: SocketAddr = server.base.trim_start_matches("http://").parse()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let watched = Watched {
        server: server.pid(),
        postmaster: postgres.as_ref().and_then(|_| postmaster()),
    };
    let phases = runtime.block_on(measure(address, watched));
    // Closes the 1,200 streams before the server stops.
    runtime.shutdown_timeout(Duration::from_secs(2));
    drop(server);
    drop(postgres);
    phases
}

/// The cluster's postmaster, from the first line of its pid file.
fn postmaster() -> Option<u32> {
    let pid_file = std::fs::read_to_string(Path::new(POSTGRES_DIR).join("postmaster.pid")).ok()?;
    pid_file.lines().next()?.trim().parse().ok()
}

/// The cluster, stopped however the run ends.
struct Cluster(TestPostgres);

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(error) = self.0.stop() {
            eprintln!("the benchmark's PostgreSQL did not stop: {error:#}");
        }
    }
}

/// Seats the tables, opens the streams, then runs the phases in turn.
async fn measure(address: SocketAddr, watched: Watched) -> anyhow::Result<Vec<Phase>> {
    let started = Instant::now();
    let shared = Arc::new(Shared::default());
    let seating = (0..TABLES).map(|n| tokio::spawn(seat(address, format!("B{:03}", n + 1))));
    let mut pushers = Vec::with_capacity(TABLES);
    for seated in seating {
        pushers.push(seated.await??);
    }
    for pusher in &pushers {
        for phone in 0..PHONES {
            tokio::spawn(listen(
                address,
                Arc::clone(&pusher.table),
                phone,
                Arc::clone(&shared),
            ));
        }
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while shared.first_carts.load(Ordering::Relaxed) < TABLES * PHONES {
        if Instant::now() > deadline || shared.streams_lost.load(Ordering::Relaxed) > 0 {
            bail!(
                "{} of {} streams delivered their first cart; {} were refused or lost",
                shared.first_carts.load(Ordering::Relaxed),
                TABLES * PHONES,
                shared.streams_lost.load(Ordering::Relaxed)
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "{TABLES} tables created, {} phones scanned, {} streams open, in {:.1} s",
        TABLES * PHONES,
        TABLES * PHONES,
        started.elapsed().as_secs_f64()
    );

    let mut phases = Vec::new();
    let load = Load::Steady {
        per_sec: STEADY_PUSHES_PER_SEC,
        pushes: STEADY_PUSHES,
    };
    let (back, phase) = run_phase(pushers, load, &shared, watched).await?;
    phase.print();
    phases.push(phase);
    pushers = back;
    for changes in [1, BATCH] {
        let load = Load::FlatOut {
            changes,
            seconds: FLAT_OUT,
        };
        let (back, phase) = run_phase(pushers, load, &shared, watched).await?;
        phase.print();
        phases.push(phase);
        pushers = back;
    }
    let lost = shared.streams_lost.load(Ordering::Relaxed);
    if lost > 0 {
        bail!("{lost} streams ended during the run");
    }
    Ok(phases)
}

/// What the generator counts as it goes, shared by the streams.
#[derive(Default)]
struct Shared {
    /// Tap → other phone, one sample per (push, other phone).
    taps: Mutex<Vec<Duration>>,
    first_carts: AtomicUsize,
    streams_lost: AtomicUsize,
}

/// One table: its code, its visit, and the pushes its phones are waiting for.
struct Table {
    id: String,
    code: String,
    visit: String,
    pending: Mutex<Vec<InFlight>>,
}

/// A push not yet on every other phone's screen.
struct InFlight {
    phone: usize,
    /// Its last change: a cart includes the push once the phone's
    /// `acks.last_seq` has reached it.
    seq: u64,
    sent: Instant,
    /// Phones whose stream has delivered it (the pusher's bit set at once).
    seen_by: u8,
}

impl Table {
    /// Phone `phone`'s stream delivered `cart` at `at`: every push it
    /// includes is a sample, once per phone.
    fn heard(&self, phone: usize, cart: &HeardCart, at: Instant, shared: &Shared) {
        let bit = 1 << phone;
        let mut samples = Vec::new();
        lock(&self.pending).retain_mut(|push| {
            if push.seen_by & bit == 0 && cart.applied_up_to(push.phone) >= push.seq {
                push.seen_by |= bit;
                samples.push(at - push.sent);
            }
            push.seen_by != EVERY_PHONE
        });
        if !samples.is_empty() {
            lock(&shared.taps).extend(samples);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The part of a `cart` event the generator reads: serde skips the lines.
#[derive(Deserialize)]
struct Heard {
    visit_id: String,
    cart: HeardCart,
}

#[derive(Deserialize)]
struct HeardCart {
    acks: BTreeMap<String, HeardLog>,
}

#[derive(Deserialize)]
struct HeardLog {
    last_seq: u64,
}

/// The part of a push's answer (a `CartState`) the generator checks: the
/// pusher's acks. The lines are skipped, as on the streams: this is xtask's
/// debug build, sharing the cores with the server.
#[derive(Deserialize)]
struct Answered {
    cart: AnsweredCart,
}

#[derive(Deserialize)]
struct AnsweredCart {
    acks: BTreeMap<String, AnsweredLog>,
}

#[derive(Deserialize)]
struct AnsweredLog {
    last_seq: u64,
    recent: Vec<(u64, Outcome)>,
}

impl HeardCart {
    fn applied_up_to(&self, phone: usize) -> u64 {
        self.acks
            .get(PHONE_IDS[phone])
            .map_or(0, |log| log.last_seq)
    }
}

/// Creates table `id` through the admin API and scans it from its six
/// phones, on the connection its pushes will then use.
async fn seat(address: SocketAddr, id: String) -> anyhow::Result<Pusher> {
    let mut connection = Connection::open(address).await?;
    let (status, body) = connection
        .request(
            "PUT",
            &format!("/api/v1/admin/tables/{id}"),
            Some("Bearer demo-admin"),
            br#"{"seats":6}"#.to_vec(),
        )
        .await?;
    if status != 200 {
        bail!(
            "PUT table {id}: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }
    let listed: serde_json::Value = serde_json::from_slice(&body)?;
    let code = listed["url"]
        .as_str()
        .and_then(|url| url.split_once("&code="))
        .map(|(_, code)| code.to_owned())
        .with_context(|| format!("no code in {listed}"))?;
    let scan = serde_json::to_vec(&serde_json::json!({ "code": code }))?;
    let mut visit = String::new();
    for _phone in 0..PHONES {
        let (status, body) = connection
            .request(
                "POST",
                &format!("/api/v1/tables/{id}/visit"),
                None,
                scan.clone(),
            )
            .await?;
        let answer: serde_json::Value = serde_json::from_slice(&body)?;
        match answer["id"].as_str() {
            Some(id) if status == 200 => visit = id.to_owned(),
            _ => bail!("scan of {id}: {status} {answer}"),
        }
    }
    Ok(Pusher {
        table: Arc::new(Table {
            id,
            code,
            visit,
            pending: Mutex::new(Vec::new()),
        }),
        connection,
        applied: [0; PHONES],
        turn: 0,
    })
}

/// Phone `phone`'s live stream of its table's cart, until the run ends.
async fn listen(address: SocketAddr, table: Arc<Table>, phone: usize, shared: Arc<Shared>) {
    let path = format!(
        "/api/v1/tables/{}/cart/events?code={}",
        table.id, table.code
    );
    let body = match Connection::open(address).await {
        Ok(mut connection) => connection.stream(&path).await,
        Err(error) => Err(error),
    };
    let mut body = match body {
        Ok(body) => body,
        Err(error) => {
            eprintln!("stream of {} ({}): {error:#}", table.id, PHONE_IDS[phone]);
            shared.streams_lost.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    let mut buffer = Vec::new();
    let mut first = true;
    while let Some(Ok(frame)) = body.frame().await {
        // Taken before parsing: what a phone's screen could show now.
        let arrived = Instant::now();
        let Ok(data) = frame.into_data() else {
            continue;
        };
        buffer.extend_from_slice(&data);
        while let Some(end) = buffer.windows(2).position(|pair| pair == b"\n\n") {
            let event: Vec<u8> = buffer.drain(..end + 2).collect();
            let Some(heard) = cart_event(&event) else {
                continue;
            };
            if heard.visit_id != table.visit {
                eprintln!("stream of {}: a cart of another visit", table.id);
                continue;
            }
            if first {
                first = false;
                shared.first_carts.fetch_add(1, Ordering::Relaxed);
            }
            table.heard(phone, &heard.cart, arrived, &shared);
        }
    }
    shared.streams_lost.fetch_add(1, Ordering::Relaxed);
}

/// The `cart` event in one SSE block (`event: cart`, `data: {…}`), if it is one.
fn cart_event(block: &[u8]) -> Option<Heard> {
    let text = std::str::from_utf8(block).ok()?;
    let mut name = "message";
    let mut data = String::new();
    for line in text.lines() {
        if let Some(value) = line.strip_prefix("event:") {
            name = value.trim();
        } else if let Some(value) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(value.strip_prefix(' ').unwrap_or(value));
        }
    }
    (name == "cart")
        .then(|| serde_json::from_str(&data).ok())
        .flatten()
}

/// One table's pushing side: its keep-alive connection, and per phone how
/// far the server has applied its changes (a phone's `seq` has no gaps).
struct Pusher {
    table: Arc<Table>,
    connection: Connection,
    applied: [u64; PHONES],
    /// The phones take turns.
    turn: usize,
}

/// One push's fate.
enum Pushed {
    Ok { took: Duration, changes: usize },
    Failed(String),
}

impl Pusher {
    /// The next phone's next `changes` changes in one push.
    async fn push(&mut self, changes: usize) -> Pushed {
        let phone = self.turn % PHONES;
        self.turn += 1;
        let first = self.applied[phone] + 1;
        let last = first + changes as u64 - 1;
        let push = CartPush {
            code: self.table.code.clone(),
            visit_id: self.table.visit.clone(),
            mutations: (first..=last).map(|seq| mutation(phone, seq)).collect(),
        };
        let body = match serde_json::to_vec(&push) {
            Ok(body) => body,
            Err(error) => return Pushed::Failed(error.to_string()),
        };
        let path = format!("/api/v1/tables/{}/cart", self.table.id);
        let sent = Instant::now();
        // Waited for before the request goes: its cart may come back on a
        // stream before its own answer does.
        lock(&self.table.pending).push(InFlight {
            phone,
            seq: last,
            sent,
            seen_by: 1 << phone,
        });
        let answer = self.connection.request("POST", &path, None, body).await;
        let took = sent.elapsed();
        let failure = match answer {
            Ok((200, body)) => match serde_json::from_slice::<Answered>(&body) {
                Ok(answered) => {
                    let log = answered.cart.acks.get(PHONE_IDS[phone]);
                    let applied = log.is_some_and(|log| {
                        log.last_seq == last
                            && (first..=last).all(|seq| {
                                log.recent
                                    .iter()
                                    .any(|(kept, outcome)| *kept == seq && outcome.is_applied())
                            })
                    });
                    if applied {
                        self.applied[phone] = last;
                        return Pushed::Ok { took, changes };
                    }
                    format!("not applied: {:?}", log.map(|log| &log.recent))
                }
                Err(error) => format!("unreadable answer: {error}"),
            },
            Ok((status, _)) => format!("HTTP {status}"),
            Err(error) => format!("{error:#}"),
        };
        lock(&self.table.pending)
            .retain(|push| !(push.phone == phone && push.seq == last && push.sent == sent));
        Pushed::Failed(failure)
    }
}

/// Phone `phone`'s change number `seq`: every fifth adds a line, the four
/// after it are "+1" on that line, so a table's cart holds a dozen lines
/// or so by the end, as a table of six does.
fn mutation(phone: usize, seq: u64) -> Mutation {
    let name = PHONE_IDS[phone];
    let added_at = seq - (seq - 1) % 5;
    let line = LineId::new(format!("{name}-{added_at}"));
    let change = if added_at == seq {
        Change::AddLine(NewLine {
            id: line,
            item_id: "beef-tripe".into(),
            options: Vec::new(),
            note: None,
            qty: 1,
            unit_price_minor: 3800,
            menu_version: "bench".into(),
        })
    } else {
        Change::ChangeQty { line, delta: 1 }
    };
    Mutation {
        phone: PhoneId::new(name),
        seq,
        round: 1,
        by: Diner::new(name, "🐼"),
        change,
    }
}

#[derive(Debug, Clone, Copy)]
enum Load {
    /// `pushes` in all at `per_sec`, going round the tables, each at its
    /// time: open loop, so a slow answer shows up as lateness, not as a
    /// lower rate nobody notices.
    Steady { per_sec: f64, pushes: usize },
    /// Every table pushes again as soon as its last push is answered.
    FlatOut { changes: usize, seconds: Duration },
}

impl Load {
    fn name(self) -> String {
        match self {
            Load::Steady { per_sec, .. } => format!("steady {per_sec:.0} pushes/s"),
            Load::FlatOut { changes: 1, .. } => "flat out, 1 change a push".into(),
            Load::FlatOut { changes, .. } => format!("flat out, {changes} changes a push"),
        }
    }
}

/// One table's part of a phase.
#[derive(Default)]
struct TableRun {
    took: Vec<Duration>,
    changes: usize,
    late: usize,
    errors: BTreeMap<String, u64>,
    first_sent: Option<Instant>,
    last_answered: Option<Instant>,
}

impl TableRun {
    fn record(&mut self, pushed: Pushed) {
        match pushed {
            Pushed::Ok { took, changes } => {
                self.took.push(took);
                self.changes += changes;
            }
            Pushed::Failed(why) => *self.errors.entry(why).or_default() += 1,
        }
        self.last_answered = Some(Instant::now());
    }
}

async fn drive(mut pusher: Pusher, load: Load, index: usize, start: Instant) -> (Pusher, TableRun) {
    let mut run = TableRun::default();
    match load {
        Load::Steady { per_sec, pushes } => {
            // The phase's pushes go round the tables: this table's are the
            // `index`th, then every `TABLES`th after it.
            for k in (index..pushes).step_by(TABLES) {
                let at = start + Duration::from_secs_f64(k as f64 / per_sec);
                tokio::time::sleep_until(at.into()).await;
                let now = Instant::now();
                if now > at + LATE {
                    run.late += 1;
                }
                run.first_sent.get_or_insert(now);
                let pushed = pusher.push(1).await;
                run.record(pushed);
            }
        }
        Load::FlatOut { changes, seconds } => {
            tokio::time::sleep_until(start.into()).await;
            run.first_sent = Some(Instant::now());
            while start.elapsed() < seconds {
                let pushed = pusher.push(changes).await;
                run.record(pushed);
            }
        }
    }
    (pusher, run)
}

/// What a phase measured.
struct Phase {
    name: String,
    pushes: usize,
    changes: usize,
    wall: Duration,
    took: Vec<Duration>,
    taps: Vec<Duration>,
    undelivered: usize,
    late: usize,
    errors: BTreeMap<String, u64>,
    cpu: Cpu,
}

async fn run_phase(
    pushers: Vec<Pusher>,
    load: Load,
    shared: &Shared,
    watched: Watched,
) -> anyhow::Result<(Vec<Pusher>, Phase)> {
    lock(&shared.taps).clear();
    let before = Cpu::now(watched);
    let start = Instant::now() + Duration::from_millis(50);
    let handles: Vec<_> = pushers
        .into_iter()
        .enumerate()
        .map(|(index, pusher)| tokio::spawn(drive(pusher, load, index, start)))
        .collect();
    let mut pushers = Vec::with_capacity(TABLES);
    let mut runs = Vec::with_capacity(TABLES);
    for handle in handles {
        let (pusher, run) = handle.await?;
        pushers.push(pusher);
        runs.push(run);
    }
    let cpu = Cpu::now(watched).since(&before);
    // The last pushes' carts are still on their way to the other phones.
    let drained = Instant::now() + DRAIN;
    let waiting = || {
        pushers
            .iter()
            .any(|pusher| !lock(&pusher.table.pending).is_empty())
    };
    while waiting() && Instant::now() < drained {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut undelivered = 0;
    for pusher in &pushers {
        let mut pending = lock(&pusher.table.pending);
        undelivered += pending
            .iter()
            .map(|push| (EVERY_PHONE & !push.seen_by).count_ones() as usize)
            .sum::<usize>();
        pending.clear();
    }
    let first = runs.iter().filter_map(|run| run.first_sent).min();
    let last = runs.iter().filter_map(|run| run.last_answered).max();
    let mut phase = Phase {
        name: load.name(),
        pushes: 0,
        changes: 0,
        wall: match (first, last) {
            (Some(first), Some(last)) => last - first,
            _ => Duration::ZERO,
        },
        took: Vec::new(),
        taps: std::mem::take(&mut *lock(&shared.taps)),
        undelivered,
        late: 0,
        errors: BTreeMap::new(),
        cpu,
    };
    for run in runs {
        phase.pushes += run.took.len();
        phase.changes += run.changes;
        phase.late += run.late;
        phase.took.extend(run.took);
        for (why, count) in run.errors {
            *phase.errors.entry(why).or_default() += count;
        }
    }
    phase.took.sort_unstable();
    phase.taps.sort_unstable();
    Ok((pushers, phase))
}

impl Phase {
    fn per_sec(&self, count: usize) -> f64 {
        count as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    fn print(&self) {
        println!(
            "{:<28} {:>6} pushes {:>7.0} pushes/s {:>7.0} changes/s  push p50 {:>7.2} ms  p99 {:>7.2} ms",
            self.name,
            self.pushes,
            self.per_sec(self.pushes),
            self.per_sec(self.changes),
            millis(percentile(&self.took, 50.0)),
            millis(percentile(&self.took, 99.0)),
        );
        println!(
            "{:<28} tap → other phones ({} deliveries): p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  max {:.2} ms; not delivered {}",
            "",
            self.taps.len(),
            millis(percentile(&self.taps, 50.0)),
            millis(percentile(&self.taps, 95.0)),
            millis(percentile(&self.taps, 99.0)),
            millis(self.taps.last().copied().unwrap_or_default()),
            self.undelivered,
        );
        println!(
            "{:<28} CPU over {:.1} s: {}{}",
            "",
            self.wall.as_secs_f64(),
            self.cpu.cores(self.wall),
            if self.late > 0 {
                format!(
                    "; {} pushes sent over 5 ms late (rate not sustained)",
                    self.late
                )
            } else {
                String::new()
            },
        );
        for (why, count) in &self.errors {
            println!("{:<28} {count} pushes failed: {why}", "");
        }
    }

    fn row(&self, backend: Backend, table: &mut String) {
        let errors: u64 = self.errors.values().sum();
        let _ = writeln!(
            table,
            "| {} | {} | {} | {} | {:.0} | {:.0} | {:.2} | {:.2} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {errors} | {} |",
            backend.name(),
            self.name,
            self.pushes,
            self.changes,
            self.per_sec(self.pushes),
            self.per_sec(self.changes),
            millis(percentile(&self.took, 50.0)),
            millis(percentile(&self.took, 99.0)),
            self.taps.len(),
            millis(percentile(&self.taps, 50.0)),
            millis(percentile(&self.taps, 95.0)),
            millis(percentile(&self.taps, 99.0)),
            millis(self.taps.last().copied().unwrap_or_default()),
            self.undelivered,
            self.cpu.cores(self.wall),
        );
    }
}

/// Nearest rank, of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The processes whose CPU time a phase reports.
#[derive(Debug, Clone, Copy)]
struct Watched {
    server: u32,
    /// PostgreSQL's postmaster, whose children are the server's sessions.
    postmaster: Option<u32>,
}

/// CPU time used so far, from /proc: the server's (and of it, SQLite's
/// writer thread's), PostgreSQL's, and this process's, which is the load
/// generator.
#[derive(Default)]
struct Cpu {
    server: Duration,
    writer: Duration,
    database: Duration,
    generator: Duration,
}

impl Cpu {
    fn now(watched: Watched) -> Self {
        let mut cpu = Self::default();
        // The process's line counts the threads that ended too (tokio's
        // blocking threads, where SQLite's reads run, come and go).
        if let Some(stat) = stat_of(Path::new(&format!("/proc/{}/stat", watched.server))) {
            cpu.server = stat.cpu;
        }
        let tasks = format!("/proc/{}/task", watched.server);
        for task in std::fs::read_dir(tasks).into_iter().flatten().flatten() {
            match stat_of(&task.path().join("stat")) {
                Some(stat) if stat.name == "sqlite-writer" => cpu.writer += stat.cpu,
                _ => {}
            }
        }
        if let Some(postmaster) = watched.postmaster {
            for process in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                match stat_of(&process.path().join("stat")) {
                    Some(stat) if stat.pid == postmaster || stat.parent == postmaster => {
                        cpu.database += stat.cpu;
                    }
                    _ => {}
                }
            }
        }
        cpu.generator = own_cpu();
        cpu
    }

    fn since(&self, before: &Cpu) -> Cpu {
        Cpu {
            server: self.server.saturating_sub(before.server),
            writer: self.writer.saturating_sub(before.writer),
            database: self.database.saturating_sub(before.database),
            generator: self.generator.saturating_sub(before.generator),
        }
    }

    /// `server 1.31 cores (SQLite writer 0.03), load generator 0.17 cores`
    fn cores(&self, wall: Duration) -> String {
        let cores = |used: Duration| used.as_secs_f64() / wall.as_secs_f64().max(1e-9);
        let store = if self.database > Duration::ZERO {
            format!(", PostgreSQL {:.2}", cores(self.database))
        } else {
            format!(" (SQLite writer {:.2})", cores(self.writer))
        };
        format!(
            "server {:.2} cores{store}, load generator {:.2}",
            cores(self.server),
            cores(self.generator)
        )
    }
}

/// What the generator reads of a `/proc/…/stat` line.
struct Stat {
    pid: u32,
    name: String,
    parent: u32,
    /// User + system time.
    cpu: Duration,
}

fn stat_of(path: &Path) -> Option<Stat> {
    let line = std::fs::read_to_string(path).ok()?;
    let (open, close) = (line.find('(')?, line.rfind(')')?);
    // After the name: state, ppid, … utime is the 12th field, stime the 13th.
    let fields: Vec<&str> = line[close + 1..].split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf only reads a constant of the system.
    let per_sec = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Some(Stat {
        pid: line[..open].trim().parse().ok()?,
        name: line.get(open + 1..close)?.to_owned(),
        parent: fields.get(1)?.parse().ok()?,
        cpu: Duration::from_secs_f64(ticks as f64 / per_sec as f64),
    })
}

/// This process's user + system time.
fn own_cpu() -> Duration {
    // SAFETY: getrusage fills the struct it is given and nothing else.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// One HTTP/1.1 keep-alive connection to the server, as a phone holds one.
struct Connection {
    address: SocketAddr,
    sender: SendRequest<Full<Bytes>>,
}

impl Connection {
    async fn open(address: SocketAddr) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Self { address, sender })
    }

    /// `method path` with a JSON body; the status and the whole answer.
    /// The server closes a connection idle for its header timeout (10 s):
    /// a closed one is opened again and the request sent again, which a
    /// push allows (the server applies each `(phone, seq)` once).
    async fn request(
        &mut self,
        method: &str,
        path: &str,
        authorization: Option<&str>,
        body: Vec<u8>,
    ) -> anyhow::Result<(u16, Bytes)> {
        let body = Bytes::from(body);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = hyper::Request::builder()
                .method(method)
                .uri(path)
                .header(HOST, self.address.to_string())
                .header(CONTENT_TYPE, "application/json");
            if let Some(authorization) = authorization {
                request = request.header(AUTHORIZATION, authorization);
            }
            let request = request.body(Full::new(body.clone()))?;
            let answer = async {
                self.sender.ready().await?;
                let response = self.sender.send_request(request).await?;
                let status = response.status().as_u16();
                let body = response.into_body().collect().await?.to_bytes();
                anyhow::Ok((status, body))
            }
            .await;
            match answer {
                Err(_) if attempt == 1 => *self = Self::open(self.address).await?,
                answer => return answer,
            }
        }
    }

    /// `GET path` held open: the event stream's body.
    async fn stream(&mut self, path: &str) -> anyhow::Result<Incoming> {
        let request = hyper::Request::builder()
            .uri(path)
            .header(HOST, self.address.to_string())
            .header("accept", "text/event-stream")
            .body(Full::new(Bytes::new()))?;
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        if response.status() != 200 {
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            bail!("{status}: {}", String::from_utf8_lossy(&body));
        }
        Ok(response.into_body())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_cart_event_and_skips_other_blocks() {
        let block = b"event: cart\ndata: {\"visit_id\":\"v1\",\"cart\":{\"version\":3,\"lines\":[],\"acks\":{\"phone-2\":{\"last_seq\":7,\"recent\":[]}}}}\n\n";
        let heard = cart_event(block).expect("a cart");
        assert_eq!(heard.visit_id, "v1");
        assert_eq!(heard.cart.applied_up_to(1), 7);
        assert_eq!(heard.cart.applied_up_to(0), 0);
        assert!(cart_event(b":\n\n").is_none(), "a keep-alive comment");
    }

    #[test]
    fn every_fifth_change_adds_a_line_the_rest_add_one_to_it() {
        assert!(matches!(mutation(0, 1).change, Change::AddLine(_)));
        assert!(matches!(
            mutation(0, 5).change,
            Change::ChangeQty { ref line, delta: 1 } if line.as_str() == "phone-1-1"
        ));
        assert!(
            matches!(mutation(2, 6).change, Change::AddLine(ref new) if new.id.as_str() == "phone-3-6")
        );
    }

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&samples, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&samples, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&samples, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }
}
