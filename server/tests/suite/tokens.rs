//! Staff tokens: an empty, short or guessable token stops the server from
//! starting (it would be a key anyone has), an empty token never logs in,
//! and a script guessing tokens is held back with 429 long before it gets
//! far.

use std::time::Duration;

use crate::support::TestServer;
use crate::support::orders::problem_type;
use crate::support::staff::no_redirects;
use clap::Parser;
use reqwest::header::{LOCATION, RETRY_AFTER, SET_COOKIE};
use reqwest::{Response, StatusCode};
use tokio::net::TcpListener;
use wendan_server::Config;

const MENU: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/menus/demo-hotpot.json");
const KITCHEN: &str = "kitchen-tablet-R7q2Vx9p";
const ADMIN: &str = "owner-office-M4t8Kz2w";

/// How a start with `args` ended: the error it refused with, or `None` if
/// it was still serving after a while.
async fn refusal(args: &[&str]) -> Option<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("orders.sqlite3").display());
    let mut all = vec!["wendan-server", "--database", &database];
    all.extend_from_slice(args);
    let config = Config::try_parse_from(all).expect("flags parse");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let serving = wendan_server::serve(config, listener, std::future::pending());
    match tokio::time::timeout(Duration::from_secs(3), serving).await {
        Ok(Err(error)) => Some(format!("{error:#}")),
        Ok(Ok(())) => panic!("the server stopped by itself"),
        Err(_still_serving) => None,
    }
}

#[tokio::test]
async fn the_server_refuses_to_start_with_an_empty_short_or_guessable_token() {
    let empty_kitchen = ["--menu", MENU, "--kitchen-token", ""];
    let refused = refusal(&empty_kitchen).await.expect("refused");
    assert!(
        refused.contains("--kitchen-token / WENDAN_KITCHEN_TOKEN is set but empty")
            && refused.contains("at least 16 characters")
            && refused.contains("openssl rand -base64 24")
            && refused.contains("keep the kitchen locked"),
        "{refused}"
    );
    // The demo keeps its own short tokens, but an empty one is still no token.
    for args in [
        &["--demo", "--kitchen-token", ""][..],
        &["--demo", "--admin-token", ""],
        &["--menu", MENU, "--admin-token", ""],
    ] {
        let refused = refusal(args).await.expect("an empty token is refused");
        assert!(refused.contains("is set but empty"), "{args:?}: {refused}");
    }
    for (token, why) in [
        ("short-token", "is only 11 characters long"),
        ("demo-kitchen", "is only 12 characters long"),
        ("passwordpassword", "easy to guess"),
        ("kitchen-kitchen-2024", "easy to guess"),
        ("xxxxxxxxxxxxxxxxxxxxxxxx", "one repeated character"),
        ("1234567890123456", "easy to guess"),
    ] {
        let refused = refusal(&["--menu", MENU, "--admin-token", token])
            .await
            .unwrap_or_else(|| panic!("`{token}` is refused"));
        assert!(
            refused.contains("--admin-token / WENDAN_ADMIN_TOKEN") && refused.contains(why),
            "{token}: {refused}"
        );
        assert!(!refused.contains(token), "the token is not repeated");
    }
    // Strong tokens, unset tokens (locked) and the demo's defaults start.
    for args in [
        &[
            "--menu",
            MENU,
            "--kitchen-token",
            KITCHEN,
            "--admin-token",
            ADMIN,
        ][..],
        &["--menu", MENU],
        &["--demo"],
    ] {
        assert_eq!(refusal(args).await, None, "{args:?} starts");
    }
}

#[tokio::test]
async fn an_empty_environment_variable_stops_the_binary_with_a_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("orders.sqlite3").display());
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_wendan-server"))
        .args([
            "--menu",
            MENU,
            "--listen",
            "127.0.0.1:0",
            "--database",
            &database,
        ])
        .env("WENDAN_ADMIN_TOKEN", "")
        .env_remove("WENDAN_KITCHEN_TOKEN")
        .env("RUST_BACKTRACE", "0")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("the server stops instead of serving")
        .expect("ran");
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("WENDAN_ADMIN_TOKEN is set but empty") && said.contains("admin locked"),
        "{said}"
    );
}

#[tokio::test]
async fn an_empty_or_blank_token_never_logs_in() {
    // With strong tokens, and with the demo's own.
    for args in [
        &["--kitchen-token", KITCHEN, "--admin-token", ADMIN][..],
        &[],
    ] {
        let server = TestServer::start(args).await;
        for blank in ["", " ", "\t"] {
            let kitchen = server.kitchen_login(blank).await;
            assert_eq!(kitchen.status(), StatusCode::UNAUTHORIZED);
            assert!(kitchen.headers().get(SET_COOKIE).is_none());

            let admin = server.admin_login(blank).await;
            assert_eq!(admin.status(), StatusCode::UNAUTHORIZED);
            assert!(admin.headers().get(SET_COOKIE).is_none());
        }
        let by_link = no_redirects()
            .get(server.url("/admin?token="))
            .send()
            .await
            .expect("GET");
        assert_eq!(by_link.status(), StatusCode::SEE_OTHER);
        assert!(
            by_link.headers()[LOCATION]
                .to_str()
                .expect("ascii")
                .starts_with("/admin/login")
        );
        assert!(by_link.headers().get(SET_COOKIE).is_none());
        let bearer = server
            .client
            .put(server.url("/api/v1/kitchen/intake"))
            .header("Authorization", "Bearer ")
            .json(&serde_json::json!({ "paused": true }))
            .send()
            .await
            .expect("PUT");
        assert_eq!(bearer.status(), StatusCode::UNAUTHORIZED);
    }
}

/// Sends `attempt` up to 300 times; the number of the first 429, and its
/// `Retry-After`. Every answer before it is a 401.
async fn first_held_back<F, A>(attempt: F) -> (usize, u64)
where
    F: Fn() -> A,
    A: Future<Output = Response>,
{
    for number in 1..=300 {
        let response = attempt().await;
        match response.status() {
            StatusCode::UNAUTHORIZED => continue,
            StatusCode::TOO_MANY_REQUESTS => {
                let retry_after = response.headers()[RETRY_AFTER]
                    .to_str()
                    .expect("ascii")
                    .parse()
                    .expect("seconds");
                return (number, retry_after);
            }
            other => panic!("attempt {number}: {other}"),
        }
    }
    panic!("300 wrong tokens and never held back");
}

#[tokio::test]
async fn three_hundred_wrong_kitchen_tokens_are_held_back_after_ten_and_the_right_one_too() {
    let server = TestServer::start(&["--kitchen-token", KITCHEN]).await;
    let login = || server.kitchen_login("guess-guess-guess-1");
    assert_eq!(first_held_back(login).await.0, 11);
    let (status, kind, problem) = problem_type(server.kitchen_login(KITCHEN).await).await;
    assert_eq!((status, kind.as_str()), (429, "rate-limited"), "{problem}");
    let board = || {
        server
            .client
            .get(server.url("/api/v1/kitchen/board"))
            .bearer_auth(KITCHEN)
            .send()
    };
    let held_back = board().await.expect("GET");
    assert_eq!(held_back.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(held_back.headers().contains_key(RETRY_AFTER));

    // Bearer guesses count the same, on a server of their own.
    let server = TestServer::start(&["--kitchen-token", KITCHEN]).await;
    let guess = || async {
        server
            .client
            .put(server.url("/api/v1/kitchen/intake"))
            .bearer_auth("guess-guess-guess-1")
            .json(&serde_json::json!({ "paused": true }))
            .send()
            .await
            .expect("PUT")
    };
    let (number, retry_after) = first_held_back(guess).await;
    assert_eq!(number, 11);
    assert!((1..=7).contains(&retry_after), "{retry_after}");
    // Unknown session cookies too.
    let server = TestServer::start(&["--kitchen-token", KITCHEN]).await;
    let forged = || async {
        server
            .client
            .get(server.url("/api/v1/kitchen/board"))
            .header("Cookie", format!("wendan_kitchen={}", "A".repeat(43)))
            .send()
            .await
            .expect("GET")
    };
    assert_eq!(first_held_back(forged).await.0, 11);
}

#[tokio::test]
async fn three_hundred_wrong_admin_tokens_are_held_back_after_ten() {
    let server = TestServer::start(&["--admin-token", ADMIN, "--kitchen-token", KITCHEN]).await;
    let form = || server.admin_login("guess-guess-guess-1");
    let (number, _) = first_held_back(form).await;
    assert_eq!(number, 11);
    let right = server.admin_login(ADMIN).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(right.headers().get(SET_COOKIE).is_none());
    assert!(right.text().await.expect("page").contains("role=\"alert\""));
    // The kitchen's budget is its own: the kitchen still logs in.
    assert_eq!(
        server.kitchen_login(KITCHEN).await.status(),
        StatusCode::NO_CONTENT
    );

    let server = TestServer::start(&["--admin-token", ADMIN]).await;
    let link = || async {
        no_redirects()
            .get(server.url("/admin?token=guess-guess-guess-1"))
            .send()
            .await
            .expect("GET")
    };
    // A wrong `?token=` is sent to the login form (303) until held back.
    let mut first = None;
    for number in 1..=300 {
        match link().await.status() {
            StatusCode::SEE_OTHER => continue,
            StatusCode::TOO_MANY_REQUESTS => {
                first = Some(number);
                break;
            }
            other => panic!("{other}"),
        }
    }
    assert_eq!(first, Some(11));

    let server = TestServer::start(&["--admin-token", ADMIN]).await;
    let bearer = || async {
        server
            .client
            .get(server.url("/api/v1/admin/tables"))
            .bearer_auth("guess-guess-guess-1")
            .send()
            .await
            .expect("GET")
    };
    assert_eq!(first_held_back(bearer).await.0, 11);
}

#[tokio::test]
async fn a_cookie_from_before_random_sessions_is_cleared_without_holding_the_address_back() {
    // Five tablets behind one router, each reloading a few times after an
    // upgrade with the old digest cookie.
    let server = TestServer::start(&["--kitchen-token", KITCHEN]).await;
    let old = format!("wendan_kitchen={}", "0f".repeat(32));
    for _ in 0..30 {
        let response = server
            .client
            .get(server.url("/api/v1/kitchen/board"))
            .header("Cookie", &old)
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(
            crate::support::staff::set_cookie(&response).contains("Max-Age=0"),
            "the browser is told to forget it"
        );
    }
    assert_eq!(
        server.kitchen_login(KITCHEN).await.status(),
        StatusCode::NO_CONTENT
    );
}
