//! The kitchen display's API: the board, undo, the live stream, the
//! switches (pause intake, sold out) and the display's login.

use std::time::Duration;

use crate::support::TestServer;
use crate::support::orders::{new_key, problem_type, tripe_and_pot};
use crate::support::sse::read_events;
use reqwest::StatusCode;
use serde_json::{Value, json};

const TOKEN: &str = "kitchen-tablet-R7q2Vx9p";

impl TestServer {
    async fn kitchen(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let reading = method == reqwest::Method::GET;
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(TOKEN);
        // The API takes JSON, `{}` where there is nothing to say.
        match body {
            Some(body) => request = request.json(&body),
            None if !reading => request = request.json(&json!({})),
            None => {}
        }
        request.send().await.expect("kitchen request")
    }

    async fn board(&self) -> Value {
        let response = self
            .kitchen(reqwest::Method::GET, "/api/v1/kitchen/board", None)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("board json")
    }

    async fn place_at(&self, table: &str) -> Value {
        let mut order = tripe_and_pot();
        order["table"] = json!(table);
        let response = self.post_order(Some(&new_key()), &order).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.expect("order json")
    }

    async fn set(&self, id: &Value, status: &str) -> reqwest::Response {
        let path = format!("/api/v1/kitchen/orders/{}/status", id.as_str().expect("id"));
        self.kitchen(
            reqwest::Method::POST,
            &path,
            Some(json!({ "status": status })),
        )
        .await
    }
}

fn numbers(board: &Value) -> Vec<u64> {
    board["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .map(|ticket| ticket["order"]["number"].as_u64().expect("number"))
        .collect()
}

#[tokio::test]
async fn the_board_marks_add_ons_counts_all_day_and_times_tickets() {
    let server = TestServer::start(&[
        "--kitchen-token",
        TOKEN,
        "--kitchen-warn-minutes",
        "3",
        "--kitchen-late-minutes",
        "7",
    ])
    .await;
    let first = server.place_at("A1").await;
    server.place_at("B2").await;
    let add_on = server.place_at("A1").await;
    let board = server.board().await;
    assert_eq!(numbers(&board), [1, 2, 3]);
    let tickets = board["tickets"].as_array().expect("tickets");
    assert_eq!(tickets[0].get("add_on_to"), None);
    assert_eq!(tickets[1].get("add_on_to"), None);
    assert_eq!(tickets[2]["add_on_to"], first["number"]);
    assert_eq!(tickets[2]["order"]["id"], add_on["id"]);

    let timer = &tickets[0]["timer"];
    let at = |field: &str| {
        time::OffsetDateTime::parse(
            timer[field].as_str().expect("instant"),
            &time::format_description::well_known::Rfc3339,
        )
        .expect("rfc3339")
    };
    assert_eq!(at("warn_at") - at("started_at"), time::Duration::minutes(3));
    assert_eq!(at("late_at") - at("started_at"), time::Duration::minutes(7));

    let tripe = |board: &Value| {
        board["all_day"]
            .as_array()
            .expect("all day")
            .iter()
            .find(|count| count["item_id"] == "beef-tripe")
            .map(|count| count["qty"].as_i64().expect("qty"))
    };
    assert_eq!(tripe(&board), Some(6), "three orders of two");
    server.set(&first["id"], "ready").await;
    assert_eq!(
        tripe(&server.board().await),
        Some(4),
        "a bumped ticket is cooked"
    );
}

#[tokio::test]
async fn undo_recalls_the_most_recent_bump_still_at_the_pass() {
    let server = TestServer::start(&["--kitchen-token", TOKEN]).await;
    let first = server.place().await;
    let second = server.place().await;
    let undo = || server.kitchen(reqwest::Method::POST, "/api/v1/kitchen/undo", None);

    let (status, kind, _) = problem_type(undo().await).await;
    assert_eq!(
        (status, kind.as_str()),
        (409, "invalid-transition"),
        "nothing bumped"
    );

    server.set(&first["id"], "ready").await;
    server.set(&second["id"], "ready").await;
    assert_eq!(server.board().await["last_bumped"], second["number"]);
    let recalled: Value = undo().await.json().await.expect("json");
    assert_eq!(
        (&recalled["id"], recalled["status"].as_str()),
        (&second["id"], Some("preparing"))
    );
    let recalled: Value = undo().await.json().await.expect("json");
    assert_eq!(
        recalled["id"], first["id"],
        "undo again recalls the bump before"
    );

    server.set(&first["id"], "ready").await;
    server.set(&first["id"], "completed").await;
    let (status, _, _) = problem_type(undo().await).await;
    assert_eq!(status, 409, "a completed order is gone from the pass");
}

#[tokio::test]
async fn pausing_intake_refuses_orders_with_the_message_and_survives_a_restart() {
    let server = TestServer::start(&["--kitchen-token", TOKEN]).await;
    let pause = json!({"paused": true, "message": "厨房爆单，十分钟后再来"});
    let response = server
        .kitchen(reqwest::Method::PUT, "/api/v1/kitchen/intake", Some(pause))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let refused = server.post_order(Some(&new_key()), &tripe_and_pot()).await;
    let (status, kind, body) = problem_type(refused).await;
    assert_eq!((status, kind.as_str()), (422, "restaurant-closed"));
    assert_eq!(body["message"], "厨房爆单，十分钟后再来");

    let no_message = server
        .kitchen(
            reqwest::Method::PUT,
            "/api/v1/kitchen/intake",
            Some(json!({"paused": true})),
        )
        .await;
    assert_eq!(no_message.status(), StatusCode::BAD_REQUEST);

    let server = server.restart(&["--kitchen-token", TOKEN]).await;
    assert_eq!(
        server.board().await["controls"]["paused"],
        "厨房爆单，十分钟后再来"
    );
    let (status, _, _) =
        problem_type(server.post_order(Some(&new_key()), &tripe_and_pot()).await).await;
    assert_eq!(status, 422, "still paused after a restart");

    server
        .kitchen(
            reqwest::Method::PUT,
            "/api/v1/kitchen/intake",
            Some(json!({"paused": false})),
        )
        .await;
    server.place().await;
}

#[tokio::test]
async fn a_sold_out_mark_changes_the_menu_version_and_survives_a_restart() {
    let server = TestServer::start(&["--kitchen-token", TOKEN]).await;
    let before = server
        .client
        .get(server.url("/api/v1/menu"))
        .send()
        .await
        .expect("GET");
    let etag = before.headers()["etag"].to_str().expect("etag").to_owned();
    let mark = |sold_out: bool| json!({ "sold_out": sold_out });
    let path = "/api/v1/kitchen/items/beef-tripe/sold-out";
    let marked = server
        .kitchen(reqwest::Method::PUT, path, Some(mark(true)))
        .await;
    assert_eq!(marked.status(), StatusCode::OK);

    let after = server
        .client
        .get(server.url("/api/v1/menu"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(
        after.status(),
        StatusCode::OK,
        "a widget's refresh sees a new version"
    );
    let menu: Value = after.json().await.expect("menu");
    let tripe = |menu: &Value| {
        menu["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|item| item["id"] == "beef-tripe")
            .expect("tripe")["sold_out"]
            .clone()
    };
    assert_eq!(tripe(&menu), true);
    let (status, kind, body) =
        problem_type(server.post_order(Some(&new_key()), &tripe_and_pot()).await).await;
    assert_eq!((status, kind.as_str()), (422, "invalid-order"));
    assert_eq!(body["errors"][0]["code"], "sold_out");

    let unknown = server
        .kitchen(
            reqwest::Method::PUT,
            "/api/v1/kitchen/items/no-such/sold-out",
            Some(mark(true)),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let server = server.restart(&["--kitchen-token", TOKEN]).await;
    assert_eq!(
        tripe(&server.get_json("/api/v1/menu").await),
        true,
        "kept across a restart"
    );
    server
        .kitchen(reqwest::Method::PUT, path, Some(mark(false)))
        .await;
    let menu = server
        .client
        .get(server.url("/api/v1/menu"))
        .send()
        .await
        .expect("GET");
    assert_eq!(
        menu.headers()["etag"].to_str().expect("etag"),
        etag,
        "back to the first version"
    );
    server.place().await;
}

#[tokio::test]
async fn the_display_logs_in_with_a_cookie_and_hears_every_change() {
    let server = TestServer::start(&["--kitchen-token", TOKEN]).await;
    let events = server.url("/api/v1/kitchen/events");
    let anonymous = server.client.get(&events).send().await.expect("GET");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let login = |token: &str| {
        server
            .client
            .post(server.url("/api/v1/kitchen/session"))
            .json(&json!({ "token": token }))
            .send()
    };
    assert_eq!(
        login("guess").await.expect("POST").status(),
        StatusCode::UNAUTHORIZED
    );
    let session = login(TOKEN).await.expect("POST");
    assert_eq!(session.status(), StatusCode::NO_CONTENT);
    let set_cookie = session.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(set_cookie.contains("HttpOnly") && !set_cookie.contains(TOKEN));
    let cookie = set_cookie.split(';').next().expect("pair").to_owned();

    let board = server
        .client
        .get(server.url("/api/v1/kitchen/board"))
        .header("Cookie", &cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(board.status(), StatusCode::OK);

    let stream = server
        .client
        .get(&events)
        .header("Cookie", &cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let kitchen = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let order = server.place().await;
        server.set(&order["id"], "preparing").await;
        server
            .kitchen(
                reqwest::Method::PUT,
                "/api/v1/kitchen/intake",
                Some(json!({"paused": true, "message": "busy"})),
            )
            .await;
        order
    };
    let (events, order) = tokio::join!(read_events(stream, 4), kitchen);
    assert_eq!(events[0].1, "hello");
    // Statuses and switches travel on separate channels (and, on PostgreSQL,
    // separate notifications), so only each kind's own order is promised:
    // the display re-reads the whole board on any event.
    let statuses: Vec<(&str, Option<&str>)> = events[1..]
        .iter()
        .filter(|(_, kind, _)| kind == "status")
        .map(|(_, _, data)| {
            (
                data["order_id"].as_str().unwrap_or(""),
                data["status"].as_str(),
            )
        })
        .collect();
    let id = order["id"].as_str().expect("id");
    assert_eq!(
        statuses,
        [(id, Some("received")), (id, Some("preparing"))],
        "{events:?}"
    );
    assert_eq!(
        events
            .iter()
            .filter(|(_, kind, _)| kind == "controls")
            .count(),
        1,
        "{events:?}"
    );
}

#[tokio::test]
async fn the_page_is_a_shell_with_external_script_and_style_only() {
    let server = TestServer::start(&["--kitchen-token", TOKEN]).await;
    let page = server
        .client
        .get(server.url("/kitchen"))
        .send()
        .await
        .expect("GET");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains(r#"<script src="/kitchen/kitchen.js" defer></script>"#));
    assert!(
        !html.contains("<style") && !html.contains("style="),
        "no inline styles"
    );
    // The one other `<script>` is data (every language's words), which no
    // browser runs: no inline code.
    assert_eq!(html.matches("<script").count(), 2, "no inline scripts");
    let (_, after) = html
        .split_once(r#"<script id="languages" type="application/json">"#)
        .expect("the words' data block");
    let (data, _) = after.split_once("</script>").expect("its end");
    let languages: Value = serde_json::from_str(data).expect("JSON");
    let tags: Vec<&str> = languages
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|language| language["tag"].as_str())
        .collect();
    assert_eq!(tags, ["zh-CN", "zh-TW", "en"]);
    assert_eq!(languages[1]["words"]["page"]["title"], "廚房");
    for (path, kind) in [
        ("/kitchen/kitchen.js", "text/javascript"),
        ("/kitchen/kitchen.css", "text/css"),
    ] {
        let asset = server
            .client
            .get(server.url(path))
            .send()
            .await
            .expect("GET");
        assert_eq!(asset.status(), StatusCode::OK);
        assert!(
            asset.headers()["content-type"]
                .to_str()
                .expect("type")
                .starts_with(kind)
        );
    }
}
