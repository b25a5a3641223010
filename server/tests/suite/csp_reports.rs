//! `POST /api/v1/csp-reports` takes anyone's post, so it must not be a way
//! to write the server's log: reports are parsed and logged field by field,
//! escaped; anything else is refused; one address cannot flood it; and a
//! report is small.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use crate::support::TestServer;
use reqwest::StatusCode;

/// Everything the servers in this test binary log about reports.
fn server_log() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let captured = Captured::default();
        let _ = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_ansi(false)
            .with_env_filter("wendan_server::csp=info")
            .try_init();
        captured
    })
}

async fn post_report(server: &TestServer, content_type: &str, body: String) -> reqwest::Response {
    server
        .client
        .post(server.url("/api/v1/csp-reports"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("POST report")
}

#[tokio::test]
async fn a_raw_body_cannot_forge_a_log_line() {
    let log = server_log();
    let server = TestServer::start(&[]).await;
    let forged = "garbage\nFORGED-RAW  INFO wendan_server: admin token changed";
    let response = post_report(&server, "application/csp-report", forged.into()).await;
    assert!(
        !log.text()
            .lines()
            .any(|line| line.starts_with("FORGED-RAW")),
        "{}",
        log.text()
    );
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "not a report");
}

#[tokio::test]
async fn a_newline_inside_a_report_is_logged_escaped() {
    let log = server_log();
    let server = TestServer::start(&[]).await;
    let report = serde_json::json!({"csp-report": {
        "document-uri": "http://127.0.0.1/\nFORGED-FIELD  INFO wendan_server: order 1 refunded",
        "violated-directive": "style-src-elem",
        "blocked-uri": "inline",
    }});
    let response = post_report(&server, "application/csp-report", report.to_string()).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let text = log.text();
    assert!(
        !text.lines().any(|line| line.starts_with("FORGED-FIELD")),
        "{text}"
    );
    let line = text
        .lines()
        .find(|line| line.contains("FORGED-FIELD"))
        .expect("the report is logged");
    assert!(line.contains("CSP violation reported"), "{line}");
    assert!(line.contains(r#"directive="style-src-elem""#), "{line}");
}

#[tokio::test]
async fn reporting_api_reports_are_logged() {
    let log = server_log();
    let server = TestServer::start(&[]).await;
    let reports = serde_json::json!([{
        "type": "csp-violation",
        "age": 3,
        "url": "http://127.0.0.1/reporting-api-page",
        "user_agent": "test",
        "body": {
            "documentURL": "http://127.0.0.1/reporting-api-page",
            "effectiveDirective": "frame-ancestors",
            "blockedURL": "http://127.0.0.1/reporting-api-page",
            "disposition": "enforce"
        }
    }]);
    let response = post_report(&server, "application/reports+json", reports.to_string()).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let text = log.text();
    let line = text
        .lines()
        .find(|line| line.contains("reporting-api-page"))
        .expect("logged");
    assert!(line.contains("frame-ancestors"), "{line}");
}

#[tokio::test]
async fn a_report_of_more_than_8_kib_is_refused() {
    let server = TestServer::start(&[]).await;
    let report = serde_json::json!({"csp-report": {
        "document-uri": "http://127.0.0.1/",
        "script-sample": "x".repeat(9 * 1024),
    }});
    let response = post_report(&server, "application/csp-report", report.to_string()).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn one_address_cannot_flood_the_reports() {
    let server = TestServer::start(&[]).await;
    let report = r#"{"csp-report":{"document-uri":"http://127.0.0.1/flood","violated-directive":"img-src"}}"#;
    let mut accepted = 0;
    let mut limited = 0;
    for _ in 0..200 {
        let response = post_report(&server, "application/csp-report", report.into()).await;
        match response.status() {
            StatusCode::NO_CONTENT => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(response.headers().contains_key("retry-after"));
                limited += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(limited > 0, "{accepted} accepted, none limited");
    assert!(accepted >= 10, "a page's few reports still get through");
}

#[tokio::test]
async fn only_report_types_are_taken() {
    let server = TestServer::start(&[]).await;
    let response = post_report(&server, "text/plain", "{}".into()).await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

/// What a subscriber wrote, for reading back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log")).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}
