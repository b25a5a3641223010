//! The admin: its token and login, tables with QR codes, and the peak-hour
//! dashboard's figures on a seeded day and after a restart.

use crate::support::TestServer;
use crate::support::orders::{new_key, problem_type, tripe_and_pot};
use crate::support::seed::{SeedCount, SeedOrder};
use crate::support::staff::no_redirects;
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const TOKEN: &str = "owner-office-M4t8Kz2w";
const KITCHEN: &str = "kitchen-tablet-R7q2Vx9p";

async fn start(extra: &[&str]) -> TestServer {
    let mut args = vec!["--admin-token", TOKEN, "--kitchen-token", KITCHEN];
    args.extend_from_slice(extra);
    TestServer::start(&args).await
}

/// A GET with the admin token that must answer 200.
async fn admin_get(server: &TestServer, path: &str) -> reqwest::Response {
    let response = server
        .client
        .get(server.url(path))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response
}

async fn admin_json(server: &TestServer, path: &str) -> Value {
    admin_get(server, path).await.json().await.expect("json")
}

async fn admin_page(server: &TestServer, path: &str) -> String {
    admin_get(server, path).await.text().await.expect("html")
}

#[tokio::test]
async fn the_admin_api_needs_the_admin_token_not_the_kitchens() {
    let server = start(&[]).await;
    let url = server.url("/api/v1/admin/tables");
    for token in [None, Some("guess"), Some(KITCHEN)] {
        let mut request = server.client.get(&url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let (status, kind, _) = problem_type(request.send().await.expect("GET")).await;
        assert_eq!((status, kind.as_str()), (401, "unauthorized"), "{token:?}");
    }
    // The demo restaurant starts with its tables, A1–A12 and B1–B8.
    let tables = admin_json(&server, "/api/v1/admin/tables").await;
    assert_eq!(tables.as_array().map(Vec::len), Some(20), "{tables}");
}

#[tokio::test]
async fn a_browser_logs_in_with_the_token_once_and_then_holds_a_cookie() {
    let server = start(&[]).await;
    let client = no_redirects();

    let anonymous = client
        .get(server.url("/admin/tables?lang=en"))
        .send()
        .await
        .expect("GET");
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        anonymous.headers()[LOCATION],
        "/admin/login?next=%2Fadmin%2Ftables%3Flang%3Den"
    );

    // `?token=` is exchanged for the cookie and dropped from the address.
    let exchanged = client
        .get(server.url(&format!("/admin/tables?token={TOKEN}&lang=en")))
        .send()
        .await
        .expect("GET");
    assert_eq!(exchanged.status(), StatusCode::SEE_OTHER);
    assert_eq!(exchanged.headers()[LOCATION], "/admin/tables?lang=en");
    let cookie = exchanged.headers()[SET_COOKIE].to_str().expect("ascii");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(
        !cookie.contains(TOKEN),
        "the cookie does not hold the token"
    );
    let session = cookie.split(';').next().expect("name=value").to_owned();

    let page = client
        .get(server.url("/admin/tables?lang=en"))
        .header("Cookie", &session)
        .send()
        .await
        .expect("GET");
    assert_eq!(page.status(), StatusCode::OK);
    let api = client
        .get(server.url("/api/v1/admin/tables"))
        .header("Cookie", &session)
        .send()
        .await
        .expect("GET");
    assert_eq!(api.status(), StatusCode::OK);

    // The login form: a wrong token is refused; a foreign `next` is ignored.
    let wrong = client
        .post(server.url("/admin/login"))
        .form(&[("token", "guess"), ("next", "/admin")])
        .send()
        .await
        .expect("POST");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    let right = client
        .post(server.url("/admin/login"))
        .form(&[("token", TOKEN), ("next", "//evil.example/admin")])
        .send()
        .await
        .expect("POST");
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    assert_eq!(right.headers()[LOCATION], "/admin");
    assert!(right.headers().get(SET_COOKIE).is_some());
}

#[tokio::test]
async fn tables_are_kept_and_each_gets_a_qr_code_for_its_widget_link() {
    // A restaurant of its own (not the demo, which starts with its tables).
    let menu = concat!(env!("CARGO_MANIFEST_DIR"), "/menus/demo-hotpot.json");
    let server = start(&["--menu", menu, "--public-url", "https://order.example.com/"]).await;
    assert_eq!(admin_json(&server, "/api/v1/admin/tables").await, json!([]));
    for (id, body) in [
        ("A12", json!({"label": "窗边", "seats": 4})),
        ("A2", json!({})),
        ("B1", json!({"seats": 6})),
    ] {
        let response = server
            .client
            .put(server.url(&format!("/api/v1/admin/tables/{id}")))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .expect("PUT");
        assert_eq!(response.status(), StatusCode::OK, "{id}");
    }
    let refused = server
        .client
        .put(server.url("/api/v1/admin/tables/A%20B"))
        .bearer_auth(TOKEN)
        .json(&json!({}))
        .send()
        .await
        .expect("PUT");
    let (status, _, _) = problem_type(refused).await;
    assert_eq!(status, 422);

    let tables = admin_json(&server, "/api/v1/admin/tables").await;
    let ids: Vec<&str> = tables
        .as_array()
        .expect("array")
        .iter()
        .map(|t| t["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["A2", "A12", "B1"]);
    let code = server.table_code("A12").await.expect("A12's code");
    let url = format!("https://order.example.com/?table=A12&code={code}");
    assert_eq!(
        tables[1],
        json!({"id": "A12", "label": "窗边", "seats": 4, "url": url})
    );

    let page = admin_page(&server, "/admin/tables?lang=en").await;
    assert_eq!(page.matches("<svg class=\"qr\"").count(), 3);
    assert!(page.contains(&format!("href=\"{}\"", url.replace('&', "&amp;"))));
    assert!(!page.contains("<script") && !page.contains("<style") && !page.contains("style="));

    let deleted = server
        .client
        .delete(server.url("/api/v1/admin/tables/A2"))
        .bearer_auth(TOKEN)
        .json(&json!({}))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let again = server
        .client
        .delete(server.url("/api/v1/admin/tables/A2"))
        .bearer_auth(TOKEN)
        .json(&json!({}))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let page = admin_page(&server, "/admin/tables").await;
    assert_eq!(page.matches("<svg class=\"qr\"").count(), 2);
}

/// Trading day 2026-11-20 in Beijing (UTC+8) runs from 04:00 that day to
/// 04:00 the next; every figure below is worked out by hand.
fn seeded_day() -> (Vec<SeedOrder>, Vec<SeedCount>) {
    let noon = datetime!(2026-11-20 12:00 +8);
    let s = Duration::seconds;
    let orders = vec![
        // Sent at once (1 s); ready after 10 min, recalled, ready again: the
        // first ready is the ticket time.
        SeedOrder {
            id: "o1",
            business_day: "2026-11-20",
            received_at: noon + s(10),
            placed_at: noon + s(9),
            later: vec![
                ("preparing", noon + s(180)),
                ("ready", noon + s(610)),
                ("preparing", noon + s(660)),
                ("ready", noon + s(900)),
                ("completed", noon + s(1000)),
            ],
        },
        // Waited 5 minutes in a diner's outbox; 20 min to ready.
        SeedOrder {
            id: "o2",
            business_day: "2026-11-20",
            received_at: noon + s(40),
            placed_at: noon + s(40) - Duration::minutes(5),
            later: vec![("ready", noon + s(40) + Duration::minutes(20))],
        },
        // Half a second; cancelled, never ready.
        SeedOrder {
            id: "o3",
            business_day: "2026-11-20",
            received_at: noon + s(125),
            placed_at: noon + s(125) - Duration::milliseconds(500),
            later: vec![("cancelled", noon + s(200))],
        },
        // The device's clock ran 10 s ahead: no delay, not a negative one.
        SeedOrder {
            id: "o4",
            business_day: "2026-11-20",
            received_at: noon + s(150),
            placed_at: noon + s(160),
            later: vec![("ready", noon + s(450))],
        },
        // 00:30 on the 21st still belongs to the 20th's trading day.
        SeedOrder {
            id: "o5",
            business_day: "2026-11-20",
            received_at: datetime!(2026-11-21 00:30 +8),
            placed_at: datetime!(2026-11-21 00:30 +8) - s(2),
            later: vec![],
        },
        // The next trading day: not counted.
        SeedOrder {
            id: "o6",
            business_day: "2026-11-21",
            received_at: datetime!(2026-11-21 12:00 +8),
            placed_at: datetime!(2026-11-21 11:00 +8),
            later: vec![("ready", datetime!(2026-11-21 13:00 +8))],
        },
    ];
    let counts = vec![
        SeedCount {
            minute: noon,
            kind: "replay",
            count: 3,
        },
        SeedCount {
            minute: noon + Duration::minutes(2),
            kind: "conflict",
            count: 1,
        },
        SeedCount {
            minute: noon + Duration::minutes(2),
            kind: "shed",
            count: 5,
        },
        // 03:59 on the 21st: the 20th's last minute.
        SeedCount {
            minute: datetime!(2026-11-21 03:59 +8),
            kind: "shed",
            count: 2,
        },
        // 03:59 on the 20th: the 19th's, and 04:00 on the 21st: the 21st's.
        SeedCount {
            minute: datetime!(2026-11-20 03:59 +8),
            kind: "replay",
            count: 100,
        },
        SeedCount {
            minute: datetime!(2026-11-21 04:00 +8),
            kind: "replay",
            count: 100,
        },
    ];
    (orders, counts)
}

#[tokio::test]
async fn the_dashboard_figures_of_a_seeded_day_are_right() {
    let server = start(&[]).await;
    let (orders, counts) = seeded_day();
    server.seed(&orders, &counts).await;

    let figures = admin_json(&server, "/api/v1/admin/dashboard?day=2026-11-20").await;
    assert_eq!(figures["business_day"], "2026-11-20");
    assert_eq!(
        figures["totals"],
        json!({"orders": 5, "delayed_orders": 1, "ready_orders": 3,
               "replays": 3, "conflicts": 1, "shed": 7})
    );
    // Delays, sorted: 0, 0.5, 1, 2, 300 s. Nearest rank: p50 = 3rd, p90 = 5th.
    assert_eq!(
        figures["delivery_delay"],
        json!({"count": 5, "p50_ms": 1000, "p90_ms": 300_000, "max_ms": 300_000})
    );
    // Ticket times: 5, 10 (first ready), 20 min.
    assert_eq!(
        figures["ticket_time"],
        json!({"count": 3, "p50_ms": 600_000, "p90_ms": 1_200_000, "max_ms": 1_200_000})
    );
    // The first of the two busiest minutes.
    assert_eq!(
        figures["peak"],
        json!({"start": "2026-11-20T12:00:00+08:00", "orders": 2})
    );
    let minutes = figures["minutes"].as_array().expect("minutes");
    assert_eq!(minutes[0]["start"], "2026-11-20T12:00:00+08:00");
    assert_eq!(
        minutes.last().expect("last")["start"],
        "2026-11-21T03:59:00+08:00"
    );
    // 12:00 through 03:59, every minute.
    assert_eq!(minutes.len(), 16 * 60);
    let at = |i: usize, field: &str| minutes[i][field].clone();
    assert_eq!(
        (at(0, "orders"), at(0, "replays"), at(1, "orders")),
        (json!(2), json!(3), json!(0))
    );
    assert_eq!(
        (at(2, "orders"), at(2, "conflicts"), at(2, "shed")),
        (json!(2), json!(1), json!(5))
    );
    assert_eq!(at(0, "delay")["max_ms"], 300_000);
    assert_eq!(
        at(2, "ticket"),
        json!({"count": 1, "p50_ms": 300_000, "p90_ms": 300_000, "max_ms": 300_000})
    );
    assert_eq!(at(1, "delay"), Value::Null);

    let next = admin_json(&server, "/api/v1/admin/dashboard?day=2026-11-21").await;
    assert_eq!(next["totals"]["orders"], 1);
    assert_eq!(next["totals"]["replays"], 100);

    let page = admin_page(&server, "/admin?day=2026-11-20&lang=en").await;
    assert!(page.contains("data-figure=\"orders\">5<"));
    assert!(page.contains("data-figure=\"shed\">7<"));
    assert_eq!(page.matches("<svg class=\"chart\"").count(), 6);
    assert!(!page.contains("<script") && !page.contains("<style") && !page.contains("style="));

    let (status, kind, _) = problem_type(
        server
            .client
            .get(server.url("/api/v1/admin/dashboard?day=20-11-2026"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("GET"),
    )
    .await;
    assert_eq!((status, kind.as_str()), (400, "malformed-request"));
}

/// Replays and 503s are counted in memory and flushed; a graceful stop
/// flushes the rest, so the dashboard still has them after a restart.
#[tokio::test]
async fn replays_and_sheds_are_on_the_dashboard_after_a_restart() {
    let server = start(&[]).await;
    let key = new_key();
    let mut order = tripe_and_pot();
    // Tapped 90 s ago: it waited in the outbox, and is sent now.
    let now = OffsetDateTime::now_utc();
    let rfc3339 = |at: OffsetDateTime| {
        at.format(&time::format_description::well_known::Rfc3339)
            .expect("formattable")
    };
    order["client"]["created_at"] = json!(rfc3339(now - Duration::seconds(90)));
    order["client"]["sent_at"] = json!(rfc3339(now));
    for _ in 0..3 {
        let response = server.post_order(Some(&key), &order).await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let server = server
        .restart(&["--admin-token", TOKEN, "--max-pending-orders", "0"])
        .await;
    for _ in 0..4 {
        let response = server.post_order(Some(&new_key()), &tripe_and_pot()).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    // One more replay after the restart adds to the stored count.
    let server = server.restart(&["--admin-token", TOKEN]).await;
    let response = server.post_order(Some(&key), &order).await;
    assert_eq!(response.headers()["idempotent-replayed"], "true");
    let server = server.restart(&["--admin-token", TOKEN]).await;

    let figures = admin_json(&server, "/api/v1/admin/dashboard").await;
    assert_eq!(figures["totals"]["orders"], 1);
    assert_eq!(figures["totals"]["replays"], 3);
    assert_eq!(figures["totals"]["shed"], 4);
    assert_eq!(figures["totals"]["delayed_orders"], 1);
    let delay = figures["delivery_delay"]["max_ms"].as_i64().expect("delay");
    assert!((90_000..150_000).contains(&delay), "{delay} ms");
}

#[tokio::test]
async fn the_demo_rush_is_seeded_once_on_the_last_finished_lunch() {
    let server = start(&["--demo-rush"]).await;
    let day =
        wendan_server::dashboard::demo_rush::latest_finished_lunch(OffsetDateTime::now_utc(), 480);
    let path = format!("/api/v1/admin/dashboard?day={day}");
    let figures = admin_json(&server, &path).await;
    let orders = figures["totals"]["orders"].as_u64().expect("orders");
    assert!(orders > 300, "{orders} orders");
    assert_eq!(figures["totals"]["ready_orders"], orders);
    assert!(figures["totals"]["shed"].as_i64() > Some(0));
    let server = server
        .restart(&["--admin-token", TOKEN, "--demo-rush"])
        .await;
    let again = admin_json(&server, &path).await;
    assert_eq!(again["totals"], figures["totals"], "not seeded twice");
}
