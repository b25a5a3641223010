//! Operators' logs: one JSON line per request with its id, method, route
//! template, status and latency; the id comes back as `X-Request-Id` and as
//! the problem document's `instance`; no query string or token is logged.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const ADMIN_TOKEN: &str = "a-long-admin-token-for-log-tests";

#[tokio::test]
async fn each_request_is_one_json_line_tied_to_its_answer_by_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wendan-server"))
        .args(["--demo", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--log-format", "json", "--admin-token", ADMIN_TOKEN])
        .arg("--database")
        .arg(format!(
            "sqlite://{}",
            dir.path().join("orders.sqlite3").display()
        ))
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn wendan-server");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut started = false;
    for _ in 0..200 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            started = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(started, "wendan-server did not start");

    // A problem: its id is in the header and in the document.
    let response = client
        .get(format!("{base}/api/v1/orders/no-such-order"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 404);
    let id = response.headers()["x-request-id"]
        .to_str()
        .expect("a plain id")
        .to_owned();
    assert!(id.len() >= 16, "{id}");
    let problem: Value = response.json().await.expect("a problem");
    assert_eq!(problem["instance"], format!("urn:wendan:request:{id}"));

    // A proxy's id is kept; a token in the query is never logged.
    let response = client
        .get(format!("{base}/admin?token={ADMIN_TOKEN}"))
        .header("x-request-id", "from-nginx-42")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.headers()["x-request-id"], "from-nginx-42");

    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while seen.len() < 2 && tokio::time::Instant::now() < deadline {
        let Ok(Ok(Some(line))) =
            tokio::time::timeout(Duration::from_secs(5), lines.next_line()).await
        else {
            break;
        };
        assert!(
            !line.contains(ADMIN_TOKEN),
            "a token reached the log: {line}"
        );
        let entry: Value =
            serde_json::from_str(&line).unwrap_or_else(|error| panic!("{error}: {line}"));
        if entry["message"] == "request" && entry["route"] != "/healthz" {
            seen.push(entry);
        }
    }
    assert_eq!(seen.len(), 2, "{seen:?}");
    let order = &seen[0];
    assert_eq!(order["level"], "INFO");
    assert_eq!(order["method"], "GET");
    assert_eq!(order["route"], "/api/v1/orders/{id}");
    assert_eq!(order["status"], 404);
    assert!(order["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    assert_eq!(order["span"]["id"], id);
    let admin = &seen[1];
    assert_eq!(admin["route"], "/admin");
    assert_eq!(admin["span"]["id"], "from-nginx-42");
}
