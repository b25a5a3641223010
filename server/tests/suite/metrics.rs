//! `/metrics`: only the admin reads it on the main listener (or anyone who
//! reaches the separate `--metrics-listen` one), and no request, however
//! odd its method or path, adds a series to it.

use crate::support::TestServer;
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

/// The shipped alert rules and Grafana dashboard name only metrics the
/// server exports (a renamed metric would silently stop an alert), and the
/// gauges an operator watches are there with sane values.
#[tokio::test]
async fn the_shipped_alerts_and_dashboard_name_only_metrics_that_exist() {
    let server = TestServer::start(&[]).await;
    server.place().await;
    // A family shows in /metrics from its first sample: one refused order.
    let mut unknown_item = crate::support::orders::tripe_and_pot();
    unknown_item["items"][0]["item_id"] = "no-such-dish".into();
    let refused = server
        .post_order(Some(&crate::support::orders::new_key()), &unknown_item)
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = metrics_text(&server).await;
    let exported = exported_names(&text);
    let suffixes = ["_bucket", "_count", "_sum", "_total", ""];
    let known = |name: &str| {
        suffixes.iter().any(|suffix| {
            name.strip_suffix(suffix)
                .is_some_and(|base| exported.contains(base) || exported.contains(name))
        })
    };
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/monitoring/");
    let mut named = 0;
    for file in ["wendan-alerts.yml", "grafana-dashboard.json"] {
        let shipped = std::fs::read_to_string(format!("{root}{file}")).expect("shipped file");
        let words = shipped.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        for name in words.filter(|word| word.starts_with("wendan_") && word.len() > "wendan_".len())
        {
            assert!(
                known(name),
                "{file} names {name}, which /metrics does not export"
            );
            named += 1;
        }
    }
    assert!(named >= 10, "{named} metric names found");

    for gauge in [
        "wendan_open_connections",
        "wendan_event_streams_open",
        "wendan_orders_in_intake",
    ] {
        let value = text
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{gauge} ")))
            .unwrap_or_else(|| panic!("{gauge} missing:\n{text}"));
        let value: f64 = value.trim().parse().expect("a number");
        assert!(value >= 0.0, "{gauge} = {value}");
    }
    // This very scrape is on an open connection; nothing is in intake now.
    assert!(text.contains("wendan_orders_in_intake 0"));
    assert!(text.contains("wendan_order_delivery_delay_seconds_count 1"));
    let build = text
        .lines()
        .find(|line| line.starts_with("wendan_build_info{"))
        .expect("build info");
    assert!(
        build.contains(concat!("version=\"", env!("CARGO_PKG_VERSION"), "\"")),
        "{build}"
    );
}
