//! A real server on a random loopback port, with its own database: a SQLite
//! file, or a fresh PostgreSQL database when `WENDAN_TEST_POSTGRES` is set
//! (`cargo xtask test` runs the server tests on both).
#![allow(dead_code)]

pub mod orders;
pub mod seed;
pub mod sse;
pub mod staff;

use std::net::SocketAddr;

use clap::Parser;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use wendan_server::Config;

pub struct TestServer {
    pub address: SocketAddr,
    /// `sqlite://…` or `postgres://…`.
    pub database: String,
    pub base: String,
    pub client: reqwest::Client,
    /// Each table's code as `post_order` first read it (`orders.rs`): a
    /// burst of orders reads it once, not once an order.
    table_codes: tokio::sync::Mutex<std::collections::HashMap<String, String>>,
    data_dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestServer {
    /// The demo restaurant on a fresh database, with extra command-line flags.
    pub async fn start(extra_args: &[&str]) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let database = fresh_database(&data_dir).await;
        Self::start_on(data_dir, &database, extra_args).await
    }

    /// A server on an existing database: a second replica, or a restart.
    pub async fn start_on(
        data_dir: tempfile::TempDir,
        database: &str,
        extra_args: &[&str],
    ) -> Self {
        let mut args = vec!["wendan-server", "--database", database];
        if !extra_args.contains(&"--menu") {
            args.push("--demo");
        }
        // Tests place many orders from one device and one address; only the
        // limits tests switch the order limits on.
        for flag in [
            "--orders-per-device-per-minute",
            "--orders-per-address-per-minute",
        ] {
            if !extra_args.contains(&flag) {
                args.extend([flag, "0"]);
            }
        }
        args.extend_from_slice(extra_args);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Self::serve_on(listener, data_dir, database, args)
    }

    /// The demo restaurant on a fresh database, on a listener bound already
    /// (so others, a payment sandbox, could be told its address first).
    pub async fn start_listening(listener: TcpListener, extra_args: &[&str]) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let database = fresh_database(&data_dir).await;
        let mut args = vec![
            "wendan-server",
            "--database",
            &database,
            "--demo",
            "--orders-per-device-per-minute",
            "0",
            "--orders-per-address-per-minute",
            "0",
        ];
        args.extend_from_slice(extra_args);
        Self::serve_on(listener, data_dir, &database, args)
    }

    fn serve_on(
        listener: TcpListener,
        data_dir: tempfile::TempDir,
        database: &str,
        args: Vec<&str>,
    ) -> Self {
        let config = Config::try_parse_from(args).expect("valid flags");
        let address = listener.local_addr().expect("address");
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(wendan_server::serve(config, listener, async {
            let _ = signal.await;
        }));
        Self {
            address,
            database: database.to_owned(),
            base: format!("http://{address}"),
            client: reqwest::Client::new(),
            table_codes: Default::default(),
            data_dir,
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Opens order `id`'s live status stream, as a diner's phone does.
    pub async fn order_events(&self, id: &str) -> reqwest::Response {
        self.client
            .get(self.url(&format!("/api/v1/orders/{id}/events")))
            .send()
            .await
            .expect("GET the order's events")
    }

    /// Graceful stop, then a new server on the same database.
    pub async fn restart(mut self, extra_args: &[&str]) -> Self {
        self.stop().await;
        let data_dir = std::mem::replace(&mut self.data_dir, tempfile::tempdir().expect("dir"));
        let database = self.database.clone();
        Self::start_on(data_dir, &database, extra_args).await
    }

    pub async fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server ran cleanly");
        }
    }
}

/// The PostgreSQL server the tests run against, if any.
pub fn postgres_base_url() -> Option<String> {
    std::env::var("WENDAN_TEST_POSTGRES").ok()
}

/// A fresh database for one test: PostgreSQL when the tests run on it,
/// else a SQLite file in `data_dir`.
pub async fn fresh_database(data_dir: &tempfile::TempDir) -> String {
    match postgres_base_url() {
        Some(base) => fresh_postgres_database(&base).await,
        None => format!(
            "sqlite://{}",
            data_dir.path().join("orders.sqlite3").display()
        ),
    }
}

/// A new, empty database on the PostgreSQL server at `base`; its URL.
pub async fn fresh_postgres_database(base: &str) -> String {
    let name = format!("wendan_test_{}", uuid::Uuid::new_v4().simple());
    postgres_client(base)
        .await
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let (prefix, _) = base.rsplit_once('/').expect("postgres URL with a database");
    format!("{prefix}/{name}")
}

pub async fn postgres_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test PostgreSQL");
    tokio::spawn(connection);
    client
}
