//! Wendan's order intake server.
//!
//! `app` assembles the router from the handler modules in `routes`.
//! `idempotency` makes intake exactly-once; `intake` decides whether an order
//! is taken and at what price; `storage` keeps orders durable (SQLite with a
//! group-committing writer); `admission` sheds load with 503 + Retry-After;
//! `menu` publishes the menu; `problem` turns every error into RFC 9457
//! problem details; `metrics` counts it all; `config` is the command line.

pub mod admission;
pub mod app;
pub mod auth;
pub mod business_day;
pub mod config;
pub mod embedding;
pub mod idempotency;
pub mod intake;
pub mod menu;
pub mod metrics;
pub mod openapi;
pub mod problem;
pub mod routes;
pub mod state;
pub mod storage;

use std::future::Future;

use anyhow::Context;
pub use config::Config;
use tokio::net::TcpListener;

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

/// Serves on an already bound `listener` (tests bind port 0 and read it back).
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let state = state::AppState::open(&config, stopping).await?;
    let storage = state.storage.clone();
    let router = app::router(state, &config)?;
    tracing::info!(address = %listener.local_addr()?, "wendan-server listening");
    let shutdown = async move {
        shutdown.await;
        let _ = stop.send(true);
    };
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
        .context("server failed");
    // Every accepted request has had its answer; flush and checkpoint.
    storage
        .close()
        .await
        .context("cannot close the database cleanly")?;
    tracing::info!("stopped cleanly");
    served
}
