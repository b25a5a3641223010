//! Wendan's order intake server.
//!
//! `app` assembles the router from the handler modules in `routes`; `menu`
//! publishes the restaurant's menu; `problem` turns every error into RFC 9457
//! problem details; `config` is the command line and environment.

pub mod app;
pub mod config;
pub mod menu;
pub mod problem;
pub mod routes;
pub mod state;

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
    let state = state::AppState::open(&config)?;
    let router = app::router(state, &config);
    tracing::info!(address = %listener.local_addr()?, "wendan-server listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
        .context("server failed")?;
    Ok(())
}
