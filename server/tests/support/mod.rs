//! A real server on a random loopback port, with its own database file.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use wendan_server::Config;

pub mod orders;

pub struct TestServer {
    pub address: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    data_dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestServer {
    /// The demo restaurant, with extra command-line flags.
    pub async fn start(extra_args: &[&str]) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(data_dir, extra_args).await
    }

    async fn start_in(data_dir: tempfile::TempDir, extra_args: &[&str]) -> Self {
        let database = format!(
            "sqlite://{}",
            data_dir.path().join("orders.sqlite3").display()
        );
        let mut args = vec!["wendan-server", "--database", &database];
        if !extra_args.contains(&"--menu") {
            args.push("--demo");
        }
        args.extend_from_slice(extra_args);
        let config = Config::try_parse_from(args).expect("valid flags");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(wendan_server::serve(config, listener, async {
            let _ = signal.await;
        }));
        Self {
            address,
            base: format!("http://{address}"),
            client: reqwest::Client::new(),
            data_dir,
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.path().to_owned()
    }

    /// Graceful stop, then a new server on the same database.
    pub async fn restart(mut self, extra_args: &[&str]) -> Self {
        self.stop().await;
        let data_dir =
            std::mem::replace(&mut self.data_dir, tempfile::tempdir().expect("temp dir"));
        Self::start_in(data_dir, extra_args).await
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
