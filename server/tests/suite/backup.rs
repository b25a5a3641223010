//! `wendan-server backup` while orders keep arriving, then `restore`: every
//! order acknowledged before the backup began is in it, and a diner's retry
//! after the restore gets the same order back, not a second one.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::support::TestServer;
use crate::support::orders::{new_key, tripe_and_pot};
use serde_json::Value;
use tokio::sync::Mutex;

const SERVER_BIN: &str = env!("CARGO_BIN_EXE_wendan-server");

fn run(args: &[&str]) -> String {
    let output = Command::new(SERVER_BIN)
        .args(args)
        .output()
        .expect("run wendan-server");
    assert!(
        output.status.success(),
        "wendan-server {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_every_acknowledged_order() {
    if crate::support::postgres_base_url().is_some() {
        return; // SQLite's online backup; PostgreSQL has pg_dump.
    }
    let server = Arc::new(TestServer::start(&[]).await);
    let acknowledged: Arc<Mutex<Vec<(String, Value, String)>>> = Arc::default();
    let loading = Arc::new(AtomicBool::new(true));
    let mut clients = Vec::new();
    for _ in 0..8 {
        let (server, acknowledged, loading) = (
            Arc::clone(&server),
            Arc::clone(&acknowledged),
            Arc::clone(&loading),
        );
        clients.push(tokio::spawn(async move {
            while loading.load(Ordering::Relaxed) {
                let (key, body) = (new_key(), tripe_and_pot());
                let response = server.post_order(Some(&key), &body).await;
                assert_eq!(response.status(), 201);
                let order: Value = response.json().await.expect("order");
                let id = order["id"].as_str().expect("id").to_owned();
                acknowledged.lock().await.push((key, body, id));
            }
        }));
    }
    while acknowledged.lock().await.len() < 200 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("orders.backup");
    let before_backup = acknowledged.lock().await.clone();
    let file_arg = file.to_str().expect("utf-8 path");
    let said = tokio::task::spawn_blocking({
        let database = server.database.clone();
        let file_arg = file_arg.to_owned();
        move || run(&["--database", &database, "backup", &file_arg])
    })
    .await
    .expect("backup ran");
    let after_backup = acknowledged.lock().await.len();
    loading.store(false, Ordering::Relaxed);
    for client in clients {
        client.await.expect("load client");
    }
    assert!(
        after_backup > before_backup.len(),
        "orders kept arriving during the backup"
    );
    let backed_up: usize = said
        .split_whitespace()
        .nth(2)
        .and_then(|count| count.parse().ok())
        .expect("backed up N orders");
    assert!(backed_up >= before_backup.len(), "{said}");

    let restored_db = format!("sqlite://{}", dir.path().join("restored.sqlite3").display());
    let said = run(&["--database", &restored_db, "restore", file_arg]);
    assert!(
        said.starts_with(&format!("restored {backed_up} orders")),
        "{said}"
    );

    let restored = TestServer::start_on(tempfile::tempdir().expect("dir"), &restored_db, &[]).await;
    for (key, body, id) in &before_backup {
        let retry = restored.post_order(Some(key), body).await;
        assert_eq!(retry.status(), 201);
        assert_eq!(retry.headers()["idempotent-replayed"], "true");
        let order: Value = retry.json().await.expect("order");
        assert_eq!(order["id"], id.as_str(), "the same order, not a new one");
    }
    assert_eq!(restored.stored_order_count().await, backed_up as i64);
}

#[test]
fn backup_refuses_postgres_and_existing_files() {
    let output = Command::new(SERVER_BIN)
        .args([
            "--database",
            "postgres://localhost/x",
            "backup",
            "/tmp/never",
        ])
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));

    let dir = tempfile::tempdir().expect("dir");
    let existing = dir.path().join("yesterday.backup");
    std::fs::write(&existing, b"an older backup").expect("write");
    let db_path = dir.path().join("orders.sqlite3");
    rusqlite::Connection::open(&db_path).expect("a database");
    let database = format!("sqlite://{}", db_path.display());
    let output = Command::new(SERVER_BIN)
        .args(["--database", &database, "backup"])
        .arg(&existing)
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"));
    assert_eq!(std::fs::read(&existing).expect("read"), b"an older backup");
}
