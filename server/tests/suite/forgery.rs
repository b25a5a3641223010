//! Requests forged by pages on other origins: a state-changing request that
//! a browser says comes from elsewhere (`Origin`, `Sec-Fetch-Site`) is
//! refused with 403 even with the staff's credentials, and the API takes
//! only JSON, which no page elsewhere can send without asking.

use crate::support::TestServer;
use crate::support::orders::problem_type;
use reqwest::header::{CONTENT_TYPE, ORIGIN, SET_COOKIE};
use reqwest::{RequestBuilder, StatusCode};
use serde_json::{Value, json};

const KITCHEN: &str = "forgery-kitchen-token";
const ADMIN: &str = "forgery-admin-token";

async fn start() -> TestServer {
    TestServer::start(&["--kitchen-token", KITCHEN, "--admin-token", ADMIN]).await
}

/// An order bumped to ready: what the kitchen's undo would recall.
async fn bumped_order(server: &TestServer) -> Value {
    let order = server.place().await;
    let id = order["id"].as_str().expect("id");
    for status in ["preparing", "ready"] {
        let response = server
            .client
            .post(server.url(&format!("/api/v1/kitchen/orders/{id}/status")))
            .bearer_auth(KITCHEN)
            .json(&json!({ "status": status }))
            .send()
            .await
            .expect("POST status");
        assert_eq!(response.status(), StatusCode::OK, "{status}");
    }
    order
}

async fn status_of(server: &TestServer, order: &Value) -> String {
    let id = order["id"].as_str().expect("id");
    server.get_json(&format!("/api/v1/orders/{id}")).await["status"]
        .as_str()
        .expect("status")
        .to_owned()
}

fn undo(server: &TestServer) -> RequestBuilder {
    server
        .client
        .post(server.url("/api/v1/kitchen/undo"))
        .bearer_auth(KITCHEN)
        .header(CONTENT_TYPE, "application/json")
        .body("{}")
}

#[tokio::test]
async fn the_kitchens_undo_is_refused_from_another_origin() {
    let server = start().await;
    let order = bumped_order(&server).await;
    let other_port = format!("http://127.0.0.1:{}", server.address.port() + 1);
    let forged = [
        vec![("origin", "http://evil.example")],
        // Another port of the same host: the same site, another origin.
        vec![("origin", other_port.as_str())],
        vec![("sec-fetch-site", "same-site")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("origin", "null")],
    ];
    for headers in forged {
        let mut request = undo(&server);
        for (name, value) in &headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("POST undo");
        let (status, kind, _) = problem_type(response).await;
        assert_eq!(
            (status, kind.as_str()),
            (403, "cross-origin-request"),
            "{headers:?}"
        );
        assert_eq!(status_of(&server, &order).await, "ready", "{headers:?}");
    }

    // The display's own page, and a client that is no browser, still can.
    let own = undo(&server)
        .header(ORIGIN, server.base.as_str())
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("POST undo");
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(status_of(&server, &order).await, "preparing");
}

#[tokio::test]
async fn an_empty_form_post_is_not_an_api_request() {
    let server = start().await;
    let order = bumped_order(&server).await;
    for content_type in [
        None,
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
        Some("multipart/form-data; boundary=x"),
    ] {
        let mut request = server
            .client
            .post(server.url("/api/v1/kitchen/undo"))
            .bearer_auth(KITCHEN);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type).body("");
        }
        let (status, kind, _) = problem_type(request.send().await.expect("POST")).await;
        assert_eq!(
            (status, kind.as_str()),
            (415, "unsupported-media-type"),
            "{content_type:?}"
        );
    }
    assert_eq!(status_of(&server, &order).await, "ready");

    // Deleting a table is a staff action too, body or not.
    let deleted = server
        .client
        .delete(server.url("/api/v1/admin/tables/A1"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(deleted.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

/// A client that does not follow redirects, to see them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The admin's session cookie, from the login form.
async fn admin_cookie(server: &TestServer) -> String {
    let login = no_redirects()
        .post(server.url("/admin/login"))
        .form(&[("token", ADMIN), ("next", "/admin")])
        .send()
        .await
        .expect("POST login");
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    login.headers()[SET_COOKIE]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("name=value")
        .to_owned()
}

async fn tables(server: &TestServer) -> Vec<Value> {
    let response = server
        .client
        .get(server.url("/api/v1/admin/tables"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("GET tables");
    response.json().await.expect("tables")
}

#[tokio::test]
async fn an_admin_form_posted_from_another_origin_changes_nothing() {
    let server = start().await;
    let cookie = admin_cookie(&server).await;
    let client = no_redirects();
    let post_table = |origin: &str, site: &str| {
        client
            .post(server.url("/admin/tables"))
            .header("cookie", &cookie)
            .header(ORIGIN, origin)
            .header("sec-fetch-site", site)
            .form(&[("id", "VIP"), ("label", "forged"), ("seats", "2")])
            .send()
    };

    // The demo restaurant starts with its own tables.
    let before = tables(&server).await.len();
    let other_port = format!("http://127.0.0.1:{}", server.address.port() + 1);
    let forged = post_table(&other_port, "same-site").await.expect("POST");
    let (status, kind, _) = problem_type(forged).await;
    assert_eq!((status, kind.as_str()), (403, "cross-origin-request"));
    assert_eq!(tables(&server).await.len(), before, "no table was created");

    // The admin's own page still works.
    let own = post_table(&server.base, "same-origin").await.expect("POST");
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    assert_eq!(tables(&server).await.len(), before + 1);
}

#[tokio::test]
async fn reading_from_another_origin_is_not_refused() {
    let server = start().await;
    let menu = server
        .client
        .get(server.url("/api/v1/menu"))
        .header(ORIGIN, "http://evil.example")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("GET menu");
    assert_eq!(menu.status(), StatusCode::OK);
}
