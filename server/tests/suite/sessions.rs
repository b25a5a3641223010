//! Staff sessions are random, server-side and end: on logout (a copied
//! cookie too), at the end of their lifetime, and when the token changes;
//! replicas share them; both cookies follow one rule, `Secure` over https.

use std::sync::Arc;

use crate::support::TestServer;
use crate::support::staff::{no_redirects, set_cookie};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use wendan_server::auth::session::{self, SessionId};
use wendan_server::auth::{Scope, Token};
use wendan_server::storage::{Backend, EventBus, SessionStore, Storage};

const KITCHEN: &str = "kitchen-tablet-R7q2Vx9p";
const ADMIN: &str = "owner-office-M4t8Kz2w";
const BOARD: &str = "/api/v1/kitchen/board";
const TABLES: &str = "/api/v1/admin/tables";

async fn start() -> TestServer {
    TestServer::start(&["--kitchen-token", KITCHEN, "--admin-token", ADMIN]).await
}

#[tokio::test]
async fn a_copied_cookie_stops_working_when_its_session_logs_out() {
    let server = start().await;

    let kitchen = server.kitchen_cookie(KITCHEN).await;
    assert_eq!(
        server.status_with_cookie(BOARD, &kitchen).await,
        StatusCode::OK
    );
    let copy = kitchen.clone();
    let out = server
        .client
        .delete(server.url("/api/v1/kitchen/session"))
        .header("Cookie", &kitchen)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(set_cookie(&out).contains("Max-Age=0"));
    assert_eq!(
        server.status_with_cookie(BOARD, &copy).await,
        StatusCode::UNAUTHORIZED
    );

    let admin = server.admin_cookie(ADMIN).await;
    assert_eq!(
        server.status_with_cookie(TABLES, &admin).await,
        StatusCode::OK
    );
    assert_eq!(
        server.status_with_cookie("/admin", &admin).await,
        StatusCode::OK
    );
    let out = no_redirects()
        .post(server.url("/admin/logout"))
        .header("Cookie", &admin)
        .send()
        .await
        .expect("POST");
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        server.status_with_cookie(TABLES, &admin).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.status_with_cookie("/admin", &admin).await,
        StatusCode::SEE_OTHER,
        "the page sends the browser to log in again"
    );
}

/// Stores a session of `scope` made with `token` at `created`, as a login
/// then would have; its cookie.
async fn stored_session(
    server: &TestServer,
    scope: Scope,
    token: &str,
    created: OffsetDateTime,
) -> String {
    let storage = Storage::open(
        &server.database,
        EventBus::default(),
        Arc::new(|_: usize| {}),
    )
    .await
    .expect("open the server's database");
    let token = Token::configured(scope, token, false).expect("valid token");
    let id = SessionId::random().expect("random id");
    storage
        .create_session(session::start(&id, scope, &token, created))
        .await
        .expect("store");
    storage.close().await.expect("close");
    format!("{}={}", scope.cookie_name(), id.cookie_value())
}

#[tokio::test]
async fn a_session_older_than_its_lifetime_is_refused_whatever_the_browser_sends() {
    let server = start().await;
    let now = OffsetDateTime::now_utc();
    let minute = time::Duration::MINUTE;
    for (scope, token, path) in [
        (Scope::Kitchen, KITCHEN, BOARD),
        (Scope::Admin, ADMIN, TABLES),
    ] {
        let lifetime = scope.session_lifetime();
        let fresh = stored_session(&server, scope, token, now - lifetime + minute).await;
        assert_eq!(
            server.status_with_cookie(path, &fresh).await,
            StatusCode::OK
        );
        let stale = stored_session(&server, scope, token, now - lifetime - minute).await;
        let refused = no_redirects()
            .get(server.url(path))
            .header("Cookie", &stale)
            .send()
            .await
            .expect("GET");
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{scope}");
        assert!(
            set_cookie(&refused).contains("Max-Age=0"),
            "the browser is told to forget it"
        );
    }
}

#[tokio::test]
async fn the_cookie_cannot_be_computed_from_the_token() {
    let server = start().await;
    let first = server.kitchen_cookie(KITCHEN).await;
    let second = server.kitchen_cookie(KITCHEN).await;
    assert_ne!(first, second, "each login is a new random session");
    assert!(!first.contains(KITCHEN));
    for (scope, token, path) in [
        (Scope::Kitchen, KITCHEN, BOARD),
        (Scope::Admin, ADMIN, TABLES),
    ] {
        // What the cookie used to be: a salted SHA-256 of the token.
        let digest: String = Sha256::new()
            .chain_update(format!("wendan {scope} session\0").as_bytes())
            .chain_update(token.as_bytes())
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        let forged = format!("{}={digest}", scope.cookie_name());
        assert_eq!(
            server.status_with_cookie(path, &forged).await,
            StatusCode::UNAUTHORIZED,
            "{scope}"
        );
    }
}

#[tokio::test]
async fn a_new_token_ends_the_sessions_of_the_old_one() {
    let server = start().await;
    let kitchen = server.kitchen_cookie(KITCHEN).await;
    let admin = server.admin_cookie(ADMIN).await;
    let server = server
        .restart(&[
            "--kitchen-token",
            "kitchen-tablet-new-Q3x8Lp5z",
            "--admin-token",
            "owner-office-new-T9v2Rm4k",
        ])
        .await;
    assert_eq!(
        server.status_with_cookie(BOARD, &kitchen).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.status_with_cookie(TABLES, &admin).await,
        StatusCode::UNAUTHORIZED
    );
    let fresh = server.kitchen_cookie("kitchen-tablet-new-Q3x8Lp5z").await;
    assert_eq!(
        server.status_with_cookie(BOARD, &fresh).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn both_cookies_are_secure_when_the_server_is_reached_over_https() {
    let server = TestServer::start(&[
        "--kitchen-token",
        KITCHEN,
        "--admin-token",
        ADMIN,
        "--public-url",
        "https://order.example.com",
    ])
    .await;
    let kitchen = set_cookie(&server.kitchen_login(KITCHEN).await);
    let admin = set_cookie(&server.admin_login(ADMIN).await);
    for cookie in [&kitchen, &admin] {
        assert!(cookie.ends_with("; Secure"), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    }
    assert!(kitchen.contains("Max-Age=604800") && admin.contains("Max-Age=43200"));

    let plain = start().await;
    let kitchen = set_cookie(&plain.kitchen_login(KITCHEN).await);
    let admin = set_cookie(&plain.admin_login(ADMIN).await);
    assert!(!kitchen.contains("Secure") && !admin.contains("Secure"));
}

#[tokio::test]
async fn replicas_share_sessions_and_a_logout_on_one_ends_it_on_all() {
    assert!(
        crate::support::postgres_base_url().is_some(),
        "replica tests run on PostgreSQL: set WENDAN_TEST_POSTGRES"
    );
    let first = start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let second = TestServer::start_on(
        dir,
        &first.database,
        &["--kitchen-token", KITCHEN, "--admin-token", ADMIN],
    )
    .await;
    let kitchen = first.kitchen_cookie(KITCHEN).await;
    let admin = second.admin_cookie(ADMIN).await;
    assert_eq!(
        second.status_with_cookie(BOARD, &kitchen).await,
        StatusCode::OK
    );
    assert_eq!(
        first.status_with_cookie(TABLES, &admin).await,
        StatusCode::OK
    );

    let out = second
        .client
        .delete(second.url("/api/v1/kitchen/session"))
        .header("Cookie", &kitchen)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        first.status_with_cookie(BOARD, &kitchen).await,
        StatusCode::UNAUTHORIZED
    );
}
