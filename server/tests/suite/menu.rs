//! `GET /api/v1/menu`: the menu with a strong ETag.

use crate::support::TestServer;
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_NONE_MATCH};
use wendan_protocol::Menu;

#[tokio::test]
async fn serves_the_demo_menu_with_a_strong_etag() {
    let server = TestServer::start(&[]).await;
    let response = server
        .client
        .get(server.url("/api/v1/menu"))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()[ETAG].to_str().expect("ascii").to_owned();
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "strong etag: {etag}"
    );
    let menu: Menu = response.json().await.expect("menu json");
    assert_eq!(etag, format!("\"{}\"", menu.version));
    assert_eq!(menu.currency, "CNY");
    assert_eq!(menu.max_order_age_secs, 45 * 60);
    assert!(menu.item("beef-tripe").is_some());
}

#[tokio::test]
async fn answers_304_when_the_diner_already_has_this_version() {
    let server = TestServer::start(&[]).await;
    let first = server
        .client
        .get(server.url("/api/v1/menu"))
        .send()
        .await
        .expect("GET");
    let etag = first.headers()[ETAG].clone();

    let again = server
        .client
        .get(server.url("/api/v1/menu"))
        .header(IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .expect("conditional GET");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG], etag);

    let stale = server
        .client
        .get(server.url("/api/v1/menu"))
        .header(IF_NONE_MATCH, "\"0000000000000000\"")
        .send()
        .await
        .expect("conditional GET");
    assert_eq!(stale.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_restaurant_menu_file_replaces_the_demo() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("menu.json");
    let mut menu: serde_json::Value =
        serde_json::from_str(wendan_server::menu::DEMO_MENU_JSON).expect("demo json");
    menu["restaurant"]["name"]["en"] = "Noodle Bar".into();
    std::fs::write(&path, menu.to_string()).expect("write menu");

    let server = TestServer::start(&["--menu", path.to_str().expect("utf-8 path")]).await;
    let menu: Menu = server
        .client
        .get(server.url("/api/v1/menu"))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("menu json");
    assert_eq!(menu.restaurant.name.get("en"), "Noodle Bar");
}

#[tokio::test]
async fn unknown_endpoints_and_wrong_methods_answer_with_problem_details() {
    let server = TestServer::start(&[]).await;
    let missing = server
        .client
        .get(server.url("/api/v1/nothing-here"))
        .send()
        .await
        .expect("GET");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
    let wrong = server
        .client
        .delete(server.url("/api/v1/menu"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
    let problem: serde_json::Value = wrong.json().await.expect("problem json");
    assert_eq!(problem["type"], "/problems/method-not-allowed");
    let ready = server
        .client
        .get(server.url("/readyz"))
        .send()
        .await
        .expect("GET");
    assert_eq!(
        ready.status(),
        StatusCode::OK,
        "ready once the database answers"
    );
}

#[tokio::test]
async fn the_widget_is_served_precompressed_when_the_browser_accepts_it() {
    let dist = tempfile::tempdir().expect("temp dir");
    std::fs::write(dist.path().join("index.html"), "<html>plain</html>").expect("write");
    std::fs::write(dist.path().join("index.html.br"), "brotli bytes").expect("write");
    std::fs::write(dist.path().join("app.wasm"), "wasm").expect("write");
    std::fs::write(dist.path().join("app.wasm.br"), "brotli wasm").expect("write");
    let server = TestServer::start(&["--static", dist.path().to_str().expect("utf-8")]).await;
    let get = |path: &str, encoding: &str| {
        server
            .client
            .get(server.url(path))
            .header("accept-encoding", encoding)
            .send()
    };
    let wasm = get("/app.wasm", "br, gzip").await.expect("GET");
    assert_eq!(wasm.headers()["content-encoding"], "br");
    assert_eq!(wasm.text().await.expect("body"), "brotli wasm");
    let page = get("/?table=A1", "br").await.expect("GET");
    assert_eq!(
        page.headers()["content-encoding"],
        "br",
        "the page itself too"
    );
    let plain = get("/app.wasm", "identity").await.expect("GET");
    assert_eq!(plain.text().await.expect("body"), "wasm");
}
