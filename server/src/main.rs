//! `wendan-server`: the restaurant's order intake.

mod doctor;

use std::io::Write;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use wendan_server::config::{Command, LogFormat};
use wendan_server::{Config, backup};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    match &config.command {
        None => wendan_server::run(config, shutdown_signal()).await,
        Some(Command::Backup { file }) => {
            let copied = backup::backup(&config.database, file)?;
            println!("backed up {} orders to {}", copied.orders, file.display());
            Ok(())
        }
        Some(Command::Restore { file }) => {
            let copied = backup::restore(&config.database, file)?;
            println!("restored {} orders from {}", copied.orders, file.display());
            Ok(())
        }
        Some(Command::Reconcile { day, close_open }) => {
            let open = if *close_open {
                wendan_server::cashier::OpenAttempts::Close
            } else {
                wendan_server::cashier::OpenAttempts::Keep
            };
            let report = wendan_server::reconcile(&config, day, open).await?;
            println!("{} unsettled payments of {day} examined", report.examined);
            for (order, before, after) in &report.repaired {
                println!("repaired {order}: {before} -> {after}");
            }
            for order in &report.unknown {
                println!("still unknown {order}: run again later");
            }
            std::process::exit(i32::from(!report.unknown.is_empty()));
        }
        Some(Command::Doctor { url, ca_file }) => {
            let report = doctor::run(&config, url.as_deref(), ca_file.as_deref()).await;
            print!("{report}");
            std::io::stdout().flush()?;
            std::process::exit(report.exit_code());
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM, so a stop drains requests instead of cutting them.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
