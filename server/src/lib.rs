//! Wendan's order intake server.
//!
//! `app` assembles the router from the handler modules in `routes`.
//! `idempotency` makes intake exactly-once; `intake` decides whether an order
//! is taken and at what price; `storage` keeps orders durable (SQLite with a
//! group-committing writer); `admission` sheds load with 503 + Retry-After;
//! `limits` holds back scripts, connection floods and slow clients; `auth`
//! lets staff in (tokens, sessions, guessing held back); `same_origin` and
//! `json_body` refuse requests forged by other sites' pages; `http_server`
//! serves connections with deadlines; `widget_files` serves the built widget;
//! `menu` publishes the menu; `kitchen` is the kitchen display's domain
//! (board, age timers, switches) and page; `problem` turns every error into RFC 9457
//! problem details; `metrics` counts it all; `config` is the command line.

pub mod admission;
pub mod app;
pub mod auth;
pub mod backup;
pub mod business_day;
pub mod cashier;
pub mod config;
pub mod dashboard;
pub mod embedding;
pub mod http_server;
pub mod idempotency;
pub mod intake;
pub mod json_body;
pub mod kitchen;
pub mod language;
pub mod limits;
pub mod menu;
pub mod metrics;
pub mod openapi;
pub mod payments;
pub mod problem;
pub mod query_string;
pub mod request_log;
pub mod routes;
pub mod same_origin;
pub mod state;
pub mod storage;
pub mod tables;
pub mod widget_files;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
pub use config::Config;
use tokio::net::TcpListener;

use crate::limits::LimitedListener;
use crate::storage::{AdminStore, Backend};

/// Starts the server described by `config` and serves until `shutdown` resolves.
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    serve(config, listener, shutdown).await
}

/// `wendan-server reconcile --day`: the providers asked about the day's
/// unsettled payments, the database repaired (see [`cashier::Cashier::reconcile`]).
pub async fn reconcile(
    config: &Config,
    day: &str,
    open: cashier::OpenAttempts,
) -> anyhow::Result<cashier::Reconciled> {
    // The real clock: provider requests are signed with it, and only
    // attempts past their expiry by now can be closed.
    let now = time::OffsetDateTime::now_utc();
    let payments = config
        .payments
        .providers(&config.public_url())
        .context("cannot set up payments")?;
    let (_stop, stopping) = tokio::sync::watch::channel(false);
    let state = state::AppState::open(config, payments, stopping).await?;
    let offset = state.menu().menu.opening_hours.utc_offset_minutes;
    let day = match day {
        "today" => business_day::business_day(now, offset),
        other => other.to_owned(),
    };
    let day = dashboard::day::ShownDay::parse(&day, offset)?;
    let report = state.cashier.reconcile(day.from, day.to, now, open).await?;
    Ok(report)
}

/// Serves on an already bound `listener` (tests bind port 0 and read it back).
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // Checked before anything else: a half-configured provider, an unreadable
    // key or `pay-first` without an online provider refuses to start.
    let payments = config
        .payments
        .providers(&config.public_url())
        .context("cannot set up payments")?;
    tracing::info!(?payments, "payments");
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let state = state::AppState::open(&config, payments, stopping).await?;
    tokio::spawn(Arc::clone(&state.cashier).sweep_periodically(
        Duration::from_secs(config.payments.payment_sweep_seconds.max(1)),
        state.stopping.clone(),
    ));
    let storage = state.storage.clone();
    let limits = Arc::clone(&state.order_limits);
    let gate = Arc::clone(&state.gate);
    // Buckets that are full again are forgotten once a minute.
    let forgetting = tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            limits.forget_idle();
            gate.forget_idle();
        }
    });
    if config.demo {
        seed_demo_tables(&state).await?;
    }
    if config.demo_rush {
        seed_demo_rush(&state).await?;
    }
    let intake_counts = state.intake_counts.clone();
    tokio::spawn(
        intake_counts
            .clone()
            .flush_periodically(storage.clone(), state.stopping.clone()),
    );
    let head_deadline = Duration::from_secs(config.limits.header_timeout_secs);
    let metrics_server = match config.metrics_listen {
        Some(address) => {
            let listener = TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen for metrics on {address}"))?;
            tracing::info!(address = %listener.local_addr()?, "serving /metrics");
            Some(tokio::spawn(http_server::serve(
                limited(listener, &config),
                metrics::metrics_only(Arc::clone(&state.metrics)),
                head_deadline,
                state::stopped(state.stopping.clone()),
            )))
        }
        None => None,
    };
    let address = listener.local_addr()?;
    let listener = limited(listener, &config);
    state.metrics.sample(
        "open_connections",
        "Connections open on the main listener",
        listener.open_connections(),
    );
    let router = app::router(state, &config)?;
    tracing::info!(%address, "wendan-server listening");
    let shutdown = async move {
        shutdown.await;
        let _ = stop.send(true);
    };
    http_server::serve(listener, router, head_deadline, shutdown).await;
    if let Some(metrics_server) = metrics_server
        && let Err(error) = metrics_server.await
    {
        tracing::error!(%error, "the metrics listener failed");
    }
    forgetting.abort();
    // Every accepted request has had its answer; flush and checkpoint.
    if let Err(error) = intake_counts.flush(&storage).await {
        tracing::error!(
            error = &error as &dyn std::error::Error,
            "cannot store the last intake counts"
        );
    }
    storage
        .close()
        .await
        .context("cannot close the database cleanly")?;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// `listener` with the connection caps and idle timeout of `config`.
fn limited(listener: TcpListener, config: &Config) -> LimitedListener {
    LimitedListener::new(
        listener,
        config.limits.max_connections,
        config.limits.max_connections_per_address,
        Duration::from_secs(config.limits.idle_timeout_secs),
    )
}

/// The demo restaurant's tables on its first start, so that `/?table=A1`
/// takes orders at once (intake takes dine-in orders only for tables that
/// exist). Tables the admin has defined are left alone.
async fn seed_demo_tables(state: &state::AppState) -> anyhow::Result<()> {
    if !state.storage.tables().await?.is_empty() {
        return Ok(());
    }
    for table in tables::demo_tables() {
        state
            .storage
            .put_table(table)
            .await
            .context("cannot create the demo tables")?;
    }
    Ok(())
}

async fn seed_demo_rush(state: &state::AppState) -> anyhow::Result<()> {
    let menu = state.menu();
    let seeded =
        dashboard::demo_rush::seed(&state.storage, &menu.menu, time::OffsetDateTime::now_utc())
            .await
            .context("cannot seed the demo rush")?;
    match seeded {
        Some(day) => tracing::info!(%day, "seeded a demo lunch rush: see /admin?day={day}"),
        None => tracing::info!("the demo rush's day has orders already; not seeding"),
    }
    Ok(())
}
