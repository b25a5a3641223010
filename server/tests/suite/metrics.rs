//! `/metrics`: only the admin reads it on the main listener (or anyone who
//! reaches the separate `--metrics-listen` one), and no request, however
//! odd its method or path, adds a series to it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::orders::{new_key, tripe_and_pot};
use crate::support::{TestServer, postgres_base_url, postgres_client};
use reqwest::{Method, StatusCode};
use wendan_server::config::{DEMO_ADMIN_TOKEN, DEMO_KITCHEN_TOKEN};

async fn metrics_text(server: &TestServer) -> String {
    let response = server
        .client
        .get(server.url("/metrics"))
        .bearer_auth(DEMO_ADMIN_TOKEN)
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("text")
}

/// The value of the unlabelled sample `name` (a gauge, a counter's `_total`,
/// a histogram's `_count`), or of `name{labels}` when `name` has them.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(' ')?;
        value.trim().parse().ok()
    })
}

/// Scrapes until `wanted` holds for the sample `name`, or panics after 5 s.
async fn wait_for_sample(
    server: &TestServer,
    name: &str,
    wanted: impl Fn(f64) -> bool,
    what: &str,
) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let text = metrics_text(server).await;
        let value = sample(&text, name);
        if let Some(value) = value.filter(|value| wanted(*value)) {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "{name} never became {what} (last {value:?}):\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Latency series: one `_count` line each.
fn latency_series(text: &str) -> usize {
    text.lines()
        .filter(|line| line.starts_with("wendan_http_request_duration_seconds_count"))
        .count()
}

#[tokio::test]
async fn a_thousand_odd_requests_add_at_most_a_few_series() {
    let server = TestServer::start(&[]).await;
    // Every route template a diner's phone uses, once, so the baseline has them.
    server.place().await;
    let before = latency_series(&metrics_text(&server).await);

    let long_method = "X".repeat(4000);
    for n in 0..1000 {
        let method = match n % 4 {
            0 => format!("M{n}"),
            1 => format!("PROPFIND{n}"),
            2 if n % 100 == 2 => long_method.clone(),
            _ => ["GET", "POST", "DELETE", "PATCH"][n % 4].to_owned(),
        };
        let path = match n % 5 {
            0 => format!("/api/v1/orders/{n}"),
            1 => format!("/api/x{n}/y"),
            2 => format!("/api/v1/kitchen/items/{n}/sold-out"),
            3 => format!("/x{n}"),
            _ => format!("/admin/{n}"),
        };
        let method = Method::from_bytes(method.as_bytes()).expect("a token method");
        // Refusals are fine; growth is what is measured.
        let _ = server
            .client
            .request(method, server.url(&path))
            .send()
            .await;
    }

    let after = latency_series(&metrics_text(&server).await);
    assert!(
        after <= before + 30,
        "{before} series grew to {after} after 1,000 odd requests"
    );
}

#[tokio::test]
async fn the_main_listener_shows_metrics_to_the_admin_only() {
    let server = TestServer::start(&[]).await;
    for token in [None, Some("guess"), Some(DEMO_KITCHEN_TOKEN)] {
        let mut request = server.client.get(server.url("/metrics"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("GET /metrics");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token:?}");
    }
    assert!(
        metrics_text(&server)
            .await
            .contains("wendan_orders_created_total")
    );
}

#[tokio::test]
async fn the_metrics_listener_serves_metrics_and_nothing_else() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let address = format!("127.0.0.1:{port}");
    let server = TestServer::start(&["--metrics-listen", &address]).await;
    server.place().await;
    let scrape = format!("http://{address}/metrics");
    let mut response = None;
    // The listener is bound as the server starts; give it a moment.
    for _ in 0..50 {
        if let Ok(answer) = server.client.get(&scrape).send().await {
            response = Some(answer);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let response = response.expect("the metrics listener answers");
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("text");
    assert!(text.contains("wendan_orders_created_total 1"), "{text}");

    for path in ["/api/v1/menu", "/healthz", "/admin", "/"] {
        let other = server
            .client
            .get(format!("http://{address}{path}"))
            .send()
            .await
            .expect("GET");
        assert_eq!(other.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

/// The names a metric line or `# TYPE` line gives, without the suffixes a
/// histogram's or counter's samples add.
fn exported_names(text: &str) -> std::collections::BTreeSet<String> {
    text.lines()
        .filter_map(|line| match line.strip_prefix("# TYPE ") {
            Some(typed) => typed.split_whitespace().next(),
            None => line.split(['{', ' ']).next(),
        })
        .filter(|name| name.starts_with("wendan_"))
        .map(str::to_owned)
        .collect()
}

/// Metrics only one backend has: absent on the other, never exported as a
/// misleading constant (`metrics::Metrics::sample_storage`).
const SQLITE_ONLY: &[&str] = &["wendan_writer_queue_depth"];
const POSTGRES_ONLY: &[&str] = &[
    "wendan_notify_listener_up",
    "wendan_notify_listener_last_heard_timestamp_seconds",
];

/// The shipped alert rules and Grafana dashboard name only metrics the
/// server exports (a renamed metric would silently stop an alert): those of
/// the backend under test here, the other backend's in the run on it.
#[tokio::test]
async fn the_shipped_alerts_and_dashboard_name_only_metrics_that_exist() {
    let server = TestServer::start(&[]).await;
    server.place().await;
    // A family shows in /metrics from its first sample: one refused order.
    let mut unknown_item = tripe_and_pot();
    unknown_item["items"][0]["item_id"] = "no-such-dish".into();
    let refused = server.post_order(Some(&new_key()), &unknown_item).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = metrics_text(&server).await;
    let exported = exported_names(&text);
    let (mine, theirs) = if postgres_base_url().is_some() {
        (POSTGRES_ONLY, SQLITE_ONLY)
    } else {
        (SQLITE_ONLY, POSTGRES_ONLY)
    };
    for name in mine {
        assert!(exported.contains(*name), "{name} missing:\n{text}");
    }
    for name in theirs {
        assert!(!exported.contains(*name), "{name} exported:\n{text}");
    }
    let suffixes = ["_bucket", "_count", "_sum", "_total", ""];
    let known = |name: &str| {
        theirs.contains(&name)
            || suffixes.iter().any(|suffix| {
                name.strip_suffix(suffix)
                    .is_some_and(|base| exported.contains(base) || exported.contains(name))
            })
    };
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/monitoring/");
    let mut named = std::collections::BTreeSet::new();
    for file in ["wendan-alerts.yml", "grafana-dashboard.json"] {
        let shipped = std::fs::read_to_string(format!("{root}{file}")).expect("shipped file");
        let words = shipped.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        for name in words.filter(|word| word.starts_with("wendan_") && word.len() > "wendan_".len())
        {
            assert!(
                known(name),
                "{file} names {name}, which /metrics does not export"
            );
            named.insert(name.to_owned());
        }
    }
    for name in SQLITE_ONLY.iter().chain(POSTGRES_ONLY) {
        assert!(named.contains(*name), "no alert or panel watches {name}");
    }
    assert!(named.len() >= 12, "{} metric names found", named.len());
}

/// The gauges an operator watches follow what happens: a live stream
/// opens and closes, this very scrape is a connection, nothing is in
/// intake between orders, and the build says which it is.
#[tokio::test]
async fn the_gauges_follow_streams_connections_and_orders() {
    let server = TestServer::start(&[]).await;
    let order = server.place().await;
    let text = metrics_text(&server).await;
    assert_eq!(
        sample(&text, "wendan_event_streams_open"),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "wendan_orders_in_intake"),
        Some(0.0),
        "{text}"
    );
    let connections = sample(&text, "wendan_open_connections").expect("open_connections");
    assert!(connections >= 1.0, "the scrape's own connection: {text}");
    assert_eq!(
        sample(&text, "wendan_order_delivery_delay_seconds_count"),
        Some(1.0),
        "{text}"
    );

    let id = order["id"].as_str().expect("id");
    let stream = server.order_events(id).await;
    assert_eq!(stream.status(), StatusCode::OK);
    wait_for_sample(&server, "wendan_event_streams_open", |n| n == 1.0, "1").await;
    drop(stream);
    wait_for_sample(&server, "wendan_event_streams_open", |n| n == 0.0, "0").await;

    let build = text
        .lines()
        .find(|line| line.starts_with("wendan_build_info{"))
        .expect("build info");
    assert!(
        build.contains(concat!("version=\"", env!("CARGO_PKG_VERSION"), "\"")),
        "{build}"
    );
    assert!(build.ends_with(" 1"), "{build}");
}

/// While another process holds SQLite's write lock, the writer is stuck on
/// the group it has taken; the orders after it wait in its queue, and
/// `wendan_writer_queue_depth` counts each. Once the lock goes, they commit
/// together (one group of several) and the queue is empty again. SQLite
/// only: PostgreSQL has no writer queue.
#[tokio::test]
async fn orders_behind_a_held_write_lock_show_in_the_writer_queue() {
    if postgres_base_url().is_some() {
        return;
    }
    let server = Arc::new(TestServer::start(&[]).await);
    server.place().await;
    let before = metrics_text(&server).await;
    assert_eq!(sample(&before, "wendan_writer_queue_depth"), Some(0.0));
    let batches_before = sample(&before, "wendan_commit_batch_size_count").expect("batches");
    let writes_before = sample(&before, "wendan_commit_batch_size_sum").expect("writes");
    let single_before =
        sample(&before, r#"wendan_commit_batch_size_bucket{le="1.0"}"#).expect("the le=1 bucket");

    let path = server.database.strip_prefix("sqlite://").expect("sqlite");
    let lock = rusqlite::Connection::open(path).expect("open the database");
    lock.execute_batch("BEGIN IMMEDIATE")
        .expect("take the write lock");
    let place = || {
        let server = Arc::clone(&server);
        tokio::spawn(async move {
            server
                .post_order(Some(&new_key()), &tripe_and_pot())
                .await
                .status()
        })
    };
    let mut placing = vec![place()];
    // A group is counted as the writer takes it, before it waits (up to
    // 5 s) for the lock: from then on, the writer takes nothing more.
    wait_for_sample(
        &server,
        "wendan_commit_batch_size_count",
        |n| n > batches_before,
        "one more (the writer stuck on the first order)",
    )
    .await;
    const BEHIND: usize = 7;
    placing.extend((0..BEHIND).map(|_| place()));
    let queued = wait_for_sample(
        &server,
        "wendan_writer_queue_depth",
        |n| n >= BEHIND as f64,
        "the orders behind the stuck one",
    )
    .await;
    // At most one more: the first order, had the stuck group been another write.
    assert!(queued <= (BEHIND + 1) as f64, "{queued} queued");
    let waiting = metrics_text(&server).await;
    let in_intake = sample(&waiting, "wendan_orders_in_intake").expect("in intake");
    assert!(
        in_intake >= queued,
        "{in_intake} in intake, {queued} queued"
    );
    lock.execute_batch("ROLLBACK").expect("release the lock");

    for placed in placing {
        assert_eq!(placed.await.expect("task"), StatusCode::CREATED);
    }
    let after = metrics_text(&server).await;
    assert_eq!(
        sample(&after, "wendan_writer_queue_depth"),
        Some(0.0),
        "{after}"
    );
    let writes = sample(&after, "wendan_commit_batch_size_sum").expect("writes") - writes_before;
    assert!(writes > BEHIND as f64, "{writes} writes committed");
    let batches =
        sample(&after, "wendan_commit_batch_size_count").expect("batches") - batches_before;
    let single = sample(&after, r#"wendan_commit_batch_size_bucket{le="1.0"}"#)
        .expect("the le=1 bucket")
        - single_before;
    assert!(
        single < batches,
        "{writes} writes in {batches} groups, {single} of one: the queued orders did not commit together"
    );
}

/// On PostgreSQL the replica says it is LISTENing, moves its last-heard
/// time when a NOTIFY arrives, shows 0 when its LISTEN connection is
/// killed, and 1 again once it has reconnected.
#[tokio::test]
async fn replicas_the_notify_listener_gauges_follow_the_listen_connection() {
    assert!(
        postgres_base_url().is_some(),
        "replica tests run on PostgreSQL: set WENDAN_TEST_POSTGRES"
    );
    let started = time::OffsetDateTime::now_utc().unix_timestamp() as f64;
    let server = TestServer::start(&[]).await;
    let up = "wendan_notify_listener_up";
    let heard = "wendan_notify_listener_last_heard_timestamp_seconds";
    let text = metrics_text(&server).await;
    assert_eq!(sample(&text, up), Some(1.0), "{text}");
    let connected = sample(&text, heard).expect("last heard");
    assert!(
        connected >= started - 1.0 && connected <= started + 30.0,
        "connected at {connected}, the test started at {started}"
    );

    // Whole seconds: wait into the next one, so hearing shows.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    server.place().await;
    wait_for_sample(&server, heard, |at| at > connected, "later after an order").await;

    let killed: i64 = postgres_client(&server.database)
        .await
        .query_one(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%' \
             AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .expect("terminate the LISTEN connection")
        .get(0);
    assert_eq!(killed, 1, "one LISTEN connection per replica");
    // It retries after a second, so 0 shows for at least that long.
    wait_for_sample(&server, up, |n| n == 0.0, "0").await;
    wait_for_sample(&server, up, |n| n == 1.0, "1 again").await;
}

/// Closing counts the `Close` job in and out like any other, so the queue
/// reads 0 afterwards: the writer uncounts every job it takes, and an
/// uncounted `Close` wrapped the count round to 2^64 - 1.
#[tokio::test]
async fn the_writer_queue_is_empty_after_close() {
    use wendan_server::storage::{Backend, EventBus, SqliteStore};
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(
        &dir.path().join("orders.sqlite3"),
        EventBus::default(),
        Arc::new(|_: usize| {}),
    )
    .expect("open SQLite");
    let queue = store.writer_queue();
    store.close().await.expect("close");
    assert_eq!(queue.depth(), 0);
}

/// Every page load of a table's link reports the scan; once the table is
/// open, that is a read, not a write through SQLite's one writer (on
/// PostgreSQL nothing is batched, so this is SQLite's test).
#[tokio::test]
async fn scans_of_an_open_table_commit_nothing() {
    if postgres_base_url().is_some() {
        return;
    }
    let server = TestServer::start(&[]).await;
    let code = server.table_code("A1").await.expect("A1's code");
    let scan = || {
        server
            .client
            .post(server.url("/api/v1/tables/A1/visit"))
            .json(&serde_json::json!({ "code": code }))
            .send()
    };
    assert_eq!(scan().await.expect("scan").status(), StatusCode::OK);
    let commits =
        |text: &str| sample(text, "wendan_commit_batch_size_count").expect("commit batches");
    let before = commits(&metrics_text(&server).await);
    for _ in 0..5 {
        assert_eq!(scan().await.expect("scan").status(), StatusCode::OK);
    }
    let after = commits(&metrics_text(&server).await);
    assert_eq!(
        after,
        before,
        "five scans of an open table wrote {}",
        after - before
    );
}
