//! The built widget at `/`: files served precompressed say they vary by
//! `Accept-Encoding`, the app shell answers the widget's routes, and paths
//! that look like files (`/.env`, `/wp-login.php`) are 404, not the shell.

use crate::support::TestServer;
use reqwest::StatusCode;

const SHELL: &str = "<!DOCTYPE html><title>shell</title>";

/// A dist/ as `cargo xtask build` writes it: files with `.br` and `.gz`
/// copies beside them (their bytes only need to differ here).
fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.path().join(name), bytes).expect("write");
    };
    write("index.html", SHELL.as_bytes());
    write("index.html.br", b"brotli shell");
    write("index.html.gz", b"gzip shell");
    write("wendan.js", b"console.log('identity')");
    write("wendan.js.br", b"brotli bytes");
    write("wendan.js.gz", b"gzip bytes");
    write("manifest.webmanifest", b"{}");
    dir
}

async fn start(dir: &tempfile::TempDir) -> TestServer {
    TestServer::start(&["--static", dir.path().to_str().expect("utf-8 path")]).await
}

async fn get(server: &TestServer, path: &str, accept_encoding: &str) -> reqwest::Response {
    server
        .client
        .get(server.url(path))
        .header("accept-encoding", accept_encoding)
        .send()
        .await
        .expect("GET")
}

fn varies_by_encoding(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get_all("vary")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.to_ascii_lowercase().contains("accept-encoding"))
}

#[tokio::test]
async fn precompressed_files_vary_by_accept_encoding() {
    let dir = dist();
    let server = start(&dir).await;
    for path in ["/wendan.js", "/", "/?table=A1"] {
        for (accept, encoding) in [("br", "br"), ("gzip", "gzip")] {
            let response = get(&server, path, accept).await;
            assert_eq!(response.status(), StatusCode::OK, "{path} {accept}");
            assert_eq!(
                response.headers()["content-encoding"],
                encoding,
                "{path} {accept}"
            );
            assert!(varies_by_encoding(&response), "{path} {accept}");
        }
        let identity = get(&server, path, "identity").await;
        assert!(identity.headers().get("content-encoding").is_none());
        assert!(varies_by_encoding(&identity), "{path} identity");
    }
}

#[tokio::test]
async fn the_widgets_routes_get_the_shell_and_its_files_are_served() {
    let dir = dist();
    let server = start(&dir).await;
    for path in ["/", "/?table=A1", "/orders", "/some/app/route"] {
        let response = get(&server, path, "identity").await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.text().await.expect("text"), SHELL, "{path}");
    }
    let manifest = get(&server, "/manifest.webmanifest", "identity").await;
    assert_eq!(manifest.status(), StatusCode::OK);
    assert_eq!(manifest.text().await.expect("text"), "{}");
}

#[tokio::test]
async fn paths_that_look_like_files_and_are_not_are_404() {
    let dir = dist();
    let server = start(&dir).await;
    for path in [
        "/.env",
        "/.git/config",
        "/x.php",
        "/wp-login.php",
        "/backup.sql",
        "/%2eenv",
        "/app/.htaccess",
    ] {
        let response = get(&server, path, "identity").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_ne!(response.text().await.expect("text"), SHELL, "{path}");
    }
}
