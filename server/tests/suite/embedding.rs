//! Embedding: the widget's Content-Security-Policy and hardening headers,
//! `frame-ancestors` from `--frame-ancestors`, the embed configuration the
//! widget reads, and the violation report endpoint.

use crate::support::TestServer;
use clap::Parser;
use reqwest::StatusCode;
use wendan_protocol::theme::EmbedConfig;
use wendan_server::Config;

/// A static dir with an index page, as `cargo xtask build` writes `dist/`.
fn widget_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("index.html"),
        "<!DOCTYPE html><title>w</title>",
    )
    .expect("index");
    dir
}

/// A server with the widget in `dir` and `extra` flags.
async fn serving(dir: &tempfile::TempDir, extra: &[&str]) -> TestServer {
    let mut args = vec!["--static", dir.path().to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    TestServer::start(&args).await
}

async fn get(server: &TestServer, path: &str) -> reqwest::Response {
    server
        .client
        .get(server.url(path))
        .send()
        .await
        .expect("GET")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("{name} header"))
        .to_str()
        .expect("ascii")
}

#[tokio::test]
async fn the_widget_page_has_a_strict_policy_naming_the_allowed_sites() {
    let dir = widget_dir();
    let allowed = [
        "--frame-ancestors",
        "https://Shop.Example/,http://127.0.0.1:8081",
    ];
    let server = serving(&dir, &allowed).await;
    for path in ["/", "/?embed=1&table=A1", "/api/v1/menu"] {
        let response = get(&server, path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let policy = header(&response, "content-security-policy");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(!policy.contains("'unsafe-eval'"), "{policy}");
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{policy}"
        );
        assert!(policy.contains("style-src 'self';"), "{policy}");
        assert!(
            policy.contains("frame-ancestors 'self' https://shop.example http://127.0.0.1:8081;"),
            "{policy}"
        );
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert!(response.headers().get("referrer-policy").is_some());
        assert!(response.headers().get("permissions-policy").is_some());
        // Sites are allowed to frame it: no X-Frame-Options to contradict that.
        assert!(response.headers().get("x-frame-options").is_none());
    }
}

#[tokio::test]
async fn without_a_list_only_the_ordering_site_may_frame_the_widget() {
    let dir = widget_dir();
    let server = serving(&dir, &[]).await;
    let response = get(&server, "/").await;
    assert!(header(&response, "content-security-policy").contains("frame-ancestors 'self';"));
    assert_eq!(header(&response, "x-frame-options"), "SAMEORIGIN");
}

#[tokio::test]
async fn the_embed_configuration_lists_the_sites_and_an_accessible_brand() {
    let server = TestServer::start(&[
        "--frame-ancestors",
        "https://shop.example",
        "--brand-color",
        "#ffd400",
        "--corner-radius",
        "12",
    ])
    .await;
    let response = server
        .client
        .get(server.url("/api/v1/embed"))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    let config: EmbedConfig = response.json().await.expect("json");
    assert_eq!(config.frame_ancestors, vec!["https://shop.example"]);
    assert_eq!(config.theme.radius_px, Some(12));
    // Yellow under white text fails 4.5:1: published darkened.
    let color = config.theme.color.expect("a colour");
    assert_ne!(color, "#ffd400");
    let rgb = wendan_protocol::theme::Rgb::parse(&color).expect("hex");
    assert!(rgb.contrast(wendan_protocol::theme::BRAND_INK) >= 4.5);
}

#[tokio::test]
async fn violation_reports_are_accepted() {
    let server = TestServer::start(&[]).await;
    let report = r#"{"csp-report":{"document-uri":"http://x/","violated-directive":"style-src"}}"#;
    let response = server
        .client
        .post(server.url("/api/v1/csp-reports"))
        .header("content-type", "application/csp-report")
        .body(report)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[test]
fn a_frame_ancestor_that_is_not_an_origin_is_refused_at_start() {
    for bad in [
        "https://shop.example/menu",
        "*",
        "https://a.example; script-src *",
    ] {
        let parsed = Config::try_parse_from(["wendan-server", "--demo", "--frame-ancestors", bad]);
        assert!(parsed.is_err(), "{bad}");
    }
}

#[tokio::test]
async fn staff_pages_may_not_be_framed_whatever_the_allowlist_says() {
    let dir = widget_dir();
    let server = serving(&dir, &["--frame-ancestors", "https://shop.example"]).await;
    for path in [
        "/kitchen",
        "/kitchen/kitchen.js",
        "/kitchen/kitchen.css",
        "/admin",
        "/admin/login",
        "/admin/admin.css",
        "/api/v1/kitchen/board",
        "/api/v1/admin/tables",
    ] {
        let response = get(&server, path).await;
        let policy = header(&response, "content-security-policy");
        assert!(
            policy.contains("frame-ancestors 'none';"),
            "{path}: {policy}"
        );
        assert!(!policy.contains("shop.example"), "{path}: {policy}");
        assert_eq!(header(&response, "x-frame-options"), "DENY", "{path}");
    }
    // The widget keeps its allowlist.
    let widget = get(&server, "/").await;
    assert!(
        header(&widget, "content-security-policy")
            .contains("frame-ancestors 'self' https://shop.example;")
    );
}
