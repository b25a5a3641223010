//! What an outside security review (issue 14) got through order intake, each
//! now refused or contained: fields of the other mode, unbounded text, tables
//! that do not exist, untrusted device clocks, a dashboard day at the end of
//! time, device ids of any shape, keys shared across devices, two keys in one
//! request, and refusals and replays that used up a device's budget.

use crate::support::orders::{new_key, problem_type, tripe_and_pot};
use crate::support::{TestServer, postgres_base_url};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

const ADMIN: &str = "test-admin-token";
const KITCHEN: &str = "test-kitchen-token";

async fn start(extra: &[&str]) -> TestServer {
    let mut args = vec!["--admin-token", ADMIN, "--kitchen-token", KITCHEN];
    args.extend_from_slice(extra);
    TestServer::start(&args).await
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).expect("formattable")
}

/// The problem's `(pointer, code)` pairs.
fn violations(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|error| {
                    (
                        error["pointer"].as_str().unwrap_or_default().to_owned(),
                        error["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Posts `body` under a new key and expects `422 invalid-order` naming `code` at `pointer`.
async fn assert_invalid(server: &TestServer, body: &Value, pointer: &str, code: &str) {
    let response = server.post_order(Some(&new_key()), body).await;
    let (status, kind, problem) = problem_type(response).await;
    assert_eq!((status, kind.as_str()), (422, "invalid-order"), "{problem}");
    assert!(
        violations(&problem).contains(&(pointer.to_owned(), code.to_owned())),
        "expected {pointer} {code} in {problem}"
    );
}

fn pickup(name: &str) -> Value {
    let mut order = tripe_and_pot();
    order["mode"] = json!("pickup");
    order["table"] = Value::Null;
    order["pickup_name"] = json!(name);
    order
}

fn at_table(table: &str) -> Value {
    let mut order = tripe_and_pot();
    order["table"] = json!(table);
    order
}

fn from_device(device: &str) -> Value {
    let mut order = tripe_and_pot();
    order["client"]["device_id"] = json!(device);
    order
}

/// An order whose device clock says it was created at `created` and sent at `sent`.
fn timed(created: OffsetDateTime, sent: OffsetDateTime) -> Value {
    let mut order = tripe_and_pot();
    order["client"]["created_at"] = json!(rfc3339(created));
    order["client"]["sent_at"] = json!(rfc3339(sent));
    order
}

#[tokio::test]
async fn an_order_carrying_the_other_modes_field_is_refused() {
    let server = start(&[]).await;
    let mut pickup_at_a_table = pickup("Li");
    pickup_at_a_table["table"] = json!("A9");
    assert_invalid(&server, &pickup_at_a_table, "/table", "table_not_allowed").await;
    let mut huge = pickup("Li");
    huge["table"] = json!("x".repeat(30_000));
    assert_invalid(&server, &huge, "/table", "table_not_allowed").await;

    let mut dine_in_with_a_name = tripe_and_pot();
    dine_in_with_a_name["pickup_name"] = json!("x".repeat(30_000));
    assert_invalid(
        &server,
        &dine_in_with_a_name,
        "/pickup_name",
        "pickup_name_not_allowed",
    )
    .await;

    let fine = server.post_order(Some(&new_key()), &pickup("Li")).await;
    assert_eq!(fine.status(), StatusCode::CREATED);
    let order: Value = fine.json().await.expect("json");
    assert!(order.get("table").is_none(), "{order}");
    assert_eq!(server.stored_order_count().await, 1);
}

#[tokio::test]
async fn every_free_text_field_is_bounded() {
    let server = start(&[]).await;
    assert_invalid(
        &server,
        &pickup(&"李".repeat(41)),
        "/pickup_name",
        "pickup_name_too_long",
    )
    .await;
    let mut long_note = tripe_and_pot();
    long_note["note"] = json!("x".repeat(141));
    assert_invalid(&server, &long_note, "/note", "note_too_long").await;

    let order = server.place().await;
    let id = order["id"].as_str().expect("id");
    let cancel = |reason: String| {
        server
            .client
            .post(server.url(&format!("/api/v1/kitchen/orders/{id}/status")))
            .bearer_auth(KITCHEN)
            .json(&json!({"status": "cancelled", "reason": reason}))
            .send()
    };
    let (status, kind, _) = problem_type(cancel("满".repeat(201)).await.expect("POST")).await;
    assert_eq!((status, kind.as_str()), (400, "malformed-request"));
    let cancelled = cancel("满".repeat(200)).await.expect("POST");
    assert_eq!(cancelled.status(), StatusCode::OK);

    let pause = server
        .client
        .put(server.url("/api/v1/kitchen/intake"))
        .bearer_auth(KITCHEN)
        .json(&json!({"paused": true, "message": "x".repeat(201)}))
        .send()
        .await
        .expect("PUT");
    assert_eq!(pause.status(), StatusCode::BAD_REQUEST);
    let label = server
        .client
        .put(server.url("/api/v1/admin/tables/T1"))
        .bearer_auth(ADMIN)
        .json(&json!({"label": "x".repeat(41)}))
        .send()
        .await
        .expect("PUT");
    assert_eq!(label.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn dine_in_orders_are_taken_only_for_tables_that_exist() {
    let server = start(&[]).await;
    for table in [
        "VIP room — comp'd, no charge",
        "A1\n\n#999 PRIORITY",
        "A1\u{202e}",
        "Z99",
    ] {
        assert_invalid(&server, &at_table(table), "/table", "unknown_table").await;
    }
    // The demo restaurant has its tables from the start, A1–A12 and B1–B8.
    for table in ["A1", "A12", "B8", " B2 "] {
        let response = server.post_order(Some(&new_key()), &at_table(table)).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{table}");
    }
    let put = |method: reqwest::Method| {
        server
            .client
            .request(method, server.url("/api/v1/admin/tables/T7"))
            .bearer_auth(ADMIN)
            .json(&json!({}))
            .send()
    };
    assert_eq!(
        put(reqwest::Method::PUT).await.expect("PUT").status(),
        StatusCode::OK
    );
    let at_t7 = server.post_order(Some(&new_key()), &at_table("T7")).await;
    assert_eq!(at_t7.status(), StatusCode::CREATED);
    assert_eq!(
        put(reqwest::Method::DELETE).await.expect("DELETE").status(),
        StatusCode::NO_CONTENT
    );
    assert_invalid(&server, &at_table("T7"), "/table", "unknown_table").await;
    assert_eq!(server.stored_order_count().await, 5);
}

#[tokio::test]
async fn replicas_take_orders_for_a_table_created_on_another() {
    assert!(
        postgres_base_url().is_some(),
        "replica tests run on PostgreSQL: set WENDAN_TEST_POSTGRES"
    );
    let first = start(&[]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let second = TestServer::start_on(
        dir,
        &first.database,
        &["--admin-token", ADMIN, "--kitchen-token", KITCHEN],
    )
    .await;
    let created = first
        .client
        .put(first.url("/api/v1/admin/tables/Terrace-1"))
        .bearer_auth(ADMIN)
        .json(&json!({"label": "露台"}))
        .send()
        .await
        .expect("PUT");
    assert_eq!(created.status(), StatusCode::OK);
    let response = second
        .post_order(Some(&new_key()), &at_table("Terrace-1"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn replays_and_refused_orders_do_not_use_up_a_devices_budget() {
    let server = start(&["--orders-per-device-per-minute", "2"]).await;
    let key = new_key();
    let order = tripe_and_pot();
    let first = server.post_order(Some(&key), &order).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    for _ in 0..3 {
        let replay = server.post_order(Some(&key), &order).await;
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
        let mut invalid = tripe_and_pot();
        invalid["items"][0]["qty"] = json!(0);
        let (status, _, _) =
            problem_type(server.post_order(Some(&new_key()), &invalid).await).await;
        assert_eq!(status, 422);
    }
    let second = server.post_order(Some(&new_key()), &tripe_and_pot()).await;
    assert_eq!(
        second.status(),
        StatusCode::CREATED,
        "only the first order counted"
    );
    let third = server.post_order(Some(&new_key()), &tripe_and_pot()).await;
    let (status, kind, _) = problem_type(third).await;
    assert_eq!((status, kind.as_str()), (429, "rate-limited"));
}

#[tokio::test]
async fn timestamps_out_of_any_sane_range_are_refused() {
    let server = start(&[]).await;
    let now = OffsetDateTime::now_utc();
    for year in [
        "1970-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
    ] {
        let mut order = tripe_and_pot();
        order["client"]["created_at"] = json!(year);
        order["client"]["sent_at"] = json!(year);
        assert_invalid(&server, &order, "/client/sent_at", "device_clock_wrong").await;
    }
    assert_invalid(
        &server,
        &timed(now, now - Duration::minutes(1)),
        "/client/sent_at",
        "sent_before_created",
    )
    .await;
    // Created in year 0 by a clock that is right now: 2,000 years on the phone.
    let mut ancient = tripe_and_pot();
    ancient["client"]["created_at"] = json!("0000-01-01T00:00:00Z");
    let (status, kind, _) = problem_type(server.post_order(Some(&new_key()), &ancient).await).await;
    assert_eq!((status, kind.as_str()), (422, "order-expired"));
    assert_eq!(server.stored_order_count().await, 0);
}

#[tokio::test]
async fn an_old_order_cannot_pass_as_new_by_sending_its_creation_time_as_sent_at() {
    let server = start(&[]).await;
    // Two hours old by the server's clock, "sent at once" by its own: the
    // server cannot tell that from a phone two hours slow, and refuses both.
    let two_hours_ago = OffsetDateTime::now_utc() - Duration::hours(2);
    let stale = timed(two_hours_ago, two_hours_ago);
    assert_invalid(&server, &stale, "/client/sent_at", "device_clock_wrong").await;
    assert_eq!(server.stored_order_count().await, 0);
}

#[tokio::test]
async fn a_phone_with_a_wrong_clock_still_orders() {
    let server = start(&[]).await;
    let now = OffsetDateTime::now_utc();
    for offset in [Duration::minutes(-30), Duration::hours(5)] {
        let sent = now + offset;
        let order = timed(sent - Duration::seconds(20), sent);
        let response = server.post_order(Some(&new_key()), &order).await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "clock off by {offset}"
        );
    }
}

#[tokio::test]
async fn no_order_can_make_the_dashboards_delivery_delay_read_centuries() {
    let server = start(&[]).await;
    let mut year_zero = tripe_and_pot();
    year_zero["client"]["created_at"] = json!("0000-01-01T00:00:00Z");
    year_zero["client"]["sent_at"] = json!("0000-01-01T00:00:00Z");
    server.post_order(Some(&new_key()), &year_zero).await;
    let sent = OffsetDateTime::now_utc() - Duration::minutes(30);
    let waited = server
        .post_order(Some(&new_key()), &timed(sent - Duration::seconds(90), sent))
        .await;
    assert_eq!(waited.status(), StatusCode::CREATED);
    let figures: Value = server
        .client
        .get(server.url("/api/v1/admin/dashboard"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    assert_eq!(figures["totals"]["orders"], 1, "{figures}");
    // The phone's clock was 30 minutes slow; the order waited 90 s on it.
    let delay = figures["delivery_delay"]["max_ms"].as_i64().expect("delay");
    assert!((90_000..100_000).contains(&delay), "{delay} ms");
}

#[tokio::test]
async fn a_dashboard_day_at_the_end_of_time_is_a_bad_request() {
    let server = start(&[]).await;
    for day in ["9999-12-31", "-9999-01-01", "0000-01-01", "+10000-01-01"] {
        for path in [
            format!("/api/v1/admin/dashboard?day={day}"),
            format!("/admin?day={day}"),
        ] {
            let response = server
                .client
                .get(server.url(&path))
                .bearer_auth(ADMIN)
                .send()
                .await
                .expect("GET");
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        }
    }
    let last = server
        .client
        .get(server.url("/admin?day=9999-12-30"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("GET");
    assert_eq!(last.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_device_id_is_required_and_bounded() {
    let server = start(&[]).await;
    for device in ["", " ", &"d".repeat(65), "dev ice", "设备", "a\nb"] {
        assert_invalid(
            &server,
            &from_device(device),
            "/client/device_id",
            "device_id_invalid",
        )
        .await;
    }
    let uuid = uuid::Uuid::new_v4().to_string();
    for device in [uuid.as_str(), "unknown-device", &"d".repeat(64)] {
        let response = server
            .post_order(Some(&new_key()), &from_device(device))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{device}");
    }
}

#[tokio::test]
async fn a_key_belongs_to_its_device() {
    let server = start(&[]).await;
    let key = new_key();
    // Someone who learnt the diner's key sends their own order with it first.
    let mut squatter = from_device("squatter-device");
    squatter["items"][0]["qty"] = json!(1);
    squatter["client"]["total_minor"] = json!(3800 + 6800 + 800);
    let first = server.post_order(Some(&key), &squatter).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let squatters: Value = first.json().await.expect("json");

    let diner = from_device("diner-device");
    let real = server.post_order(Some(&key), &diner).await;
    assert_eq!(real.status(), StatusCode::CREATED, "the diner's own order");
    assert!(real.headers().get("idempotent-replayed").is_none());
    let diners: Value = real.json().await.expect("json");
    assert_ne!(diners["id"], squatters["id"]);

    let retry = server.post_order(Some(&key), &diner).await;
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let retried: Value = retry.json().await.expect("json");
    assert_eq!(retried["id"], diners["id"]);
    let mut changed = diner.clone();
    changed["note"] = json!("changed");
    let (status, kind, _) = problem_type(server.post_order(Some(&key), &changed).await).await;
    assert_eq!((status, kind.as_str()), (422, "idempotency-key-reused"));
    assert_eq!(server.stored_order_count().await, 2);
}

#[tokio::test]
async fn two_idempotency_keys_are_a_bad_request() {
    let server = start(&[]).await;
    for second in [new_key(), String::new()] {
        let response = server
            .client
            .post(server.url("/api/v1/orders"))
            .header("Idempotency-Key", new_key())
            .header("Idempotency-Key", second)
            .json(&tripe_and_pot())
            .send()
            .await
            .expect("POST");
        let (status, kind, _) = problem_type(response).await;
        assert_eq!((status, kind.as_str()), (400, "idempotency-key-malformed"));
    }
    assert_eq!(server.stored_order_count().await, 0);
}
