//! `kill -9` under load loses no acknowledged order and never makes two
//! orders for one key.

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::orders::{new_key, sqlite_table_code, tripe_and_pot};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::process::{Child, Command};

const CLIENTS: usize = 16;
/// Orders acknowledged before the kill: enough that some are in every
/// stage of a group commit when it lands.
const ACKNOWLEDGED_BEFORE_KILL: usize = 50;

/// The server on its own process (so it can be killed), on SQLite at
/// `database`, with `extra` arguments.
pub(crate) async fn spawn_server(database: &Path, port: u16, extra: &[&str]) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_wendan-server"))
        .args(["--demo", "--listen", &format!("127.0.0.1:{port}")])
        // Sixteen clients posting as fast as they can are a script to the
        // limits; this test is about durability.
        .args(["--orders-per-device-per-minute", "0"])
        .args(["--orders-per-address-per-minute", "0"])
        .arg("--database")
        .arg(format!("sqlite://{}", database.display()))
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn wendan-server");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        let url = format!("http://127.0.0.1:{port}/healthz");
        if let Ok(response) = client.get(url).send().await
            && response.status().is_success()
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("wendan-server did not start");
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

fn acknowledged_count(ledger: &Ledger) -> usize {
    ledger
        .lock()
        .expect("ledger")
        .values()
        .filter(|(_, id)| id.is_some())
        .count()
}

/// What each key's request body was, and the order id if a 201 came back.
type Ledger = Arc<Mutex<HashMap<String, (Value, Option<String>)>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_loses_no_acknowledged_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("orders.sqlite3");
    let port = free_port();
    let mut server = spawn_server(&database, port, &[]).await;
    let base = format!("http://127.0.0.1:{port}");
    let ledger: Ledger = Arc::default();
    // The diners scanned table A1's code.
    let code = sqlite_table_code(&database, "A1").expect("the demo's table A1");

    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (ledger, url) = (Arc::clone(&ledger), format!("{base}/api/v1/orders"));
            let code = code.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                loop {
                    let (key, mut body) = (new_key(), tripe_and_pot());
                    body["table_code"] = Value::String(code.clone());
                    ledger
                        .lock()
                        .expect("ledger")
                        .insert(key.clone(), (body.clone(), None));
                    let sent = client
                        .post(&url)
                        .header("Idempotency-Key", &key)
                        .json(&body);
                    let Ok(response) = sent.send().await else {
                        return;
                    };
                    if response.status() == StatusCode::CREATED {
                        let Ok(order) = response.json::<Value>().await else {
                            return;
                        };
                        let id = order["id"].as_str().map(str::to_owned);
                        ledger.lock().expect("ledger").insert(key, (body, id));
                    }
                }
            })
        })
        .collect();

    // Kill once the load is really under way: a fixed delay killed a server
    // that a busy machine had not yet let answer anyone (0 of 16 after 1.5 s).
    let under_way = Instant::now();
    while acknowledged_count(&ledger) <= ACKNOWLEDGED_BEFORE_KILL
        && under_way.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.start_kill().expect("SIGKILL");
    server.wait().await.expect("reaped");
    for client in clients {
        client.await.expect("client task");
    }

    let acknowledged: Vec<(String, String)> = ledger
        .lock()
        .expect("ledger")
        .iter()
        .filter_map(|(key, (_, id))| id.clone().map(|id| (key.clone(), id)))
        .collect();
    eprintln!(
        "kill -9 after {:.1} s: {} acknowledged of {} attempted",
        under_way.elapsed().as_secs_f64(),
        acknowledged.len(),
        ledger.lock().expect("ledger").len()
    );
    assert!(
        acknowledged.len() > ACKNOWLEDGED_BEFORE_KILL,
        "the load made orders: {}",
        acknowledged.len()
    );

    let _restarted = spawn_server(&database, port, &[]).await;
    let connection = rusqlite::Connection::open(&database).expect("open db");
    let integrity: String = connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("check");
    assert_eq!(integrity, "ok");
    for (key, id) in &acknowledged {
        let stored: String = connection
            .query_row(
                "SELECT id FROM orders WHERE idempotency_key = ?1",
                [key],
                |row| row.get(0),
            )
            .unwrap_or_else(|_| panic!("acknowledged order {id} is lost"));
        assert_eq!(&stored, id);
    }

    // Requests that got no answer are retried, as the widget would: each key
    // ends with exactly one order, whether or not it was committed before.
    let client = reqwest::Client::new();
    let entries: Vec<(String, Value)> = ledger
        .lock()
        .expect("ledger")
        .iter()
        .map(|(key, (body, _))| (key.clone(), body.clone()))
        .collect();
    for (key, body) in &entries {
        let response = client
            .post(format!("{base}/api/v1/orders"))
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .expect("retry");
        assert_eq!(response.status(), StatusCode::CREATED, "retry of {key}");
    }
    let orders: i64 = connection
        .query_row("SELECT COUNT(*) FROM orders", [], |row| row.get(0))
        .expect("count");
    assert_eq!(
        orders as usize,
        entries.len(),
        "one order per key, none lost, none doubled"
    );
}
