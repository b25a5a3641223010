//! Orders for the demo menu, as a diner's device would send them.
#![allow(dead_code)]

use reqwest::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::TestServer;

/// ¥38 beef tripe ×2 and a ¥68 yuanyang pot (mushroom half +¥8, mild): ¥152.
pub const TRIPE_AND_POT_TOTAL: i64 = 2 * 3800 + 6800 + 800;

pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .expect("formattable")
}

pub fn tripe_and_pot() -> Value {
    let now = now_rfc3339();
    json!({
        "mode": "dine_in",
        "table": "A1",
        "items": [
            {"item_id": "beef-tripe", "qty": 2, "options": []},
            {"item_id": "yuanyang-pot", "qty": 1, "options": ["pair-mushroom", "spice-mild"], "note": "少放葱"}
        ],
        "note": "生日聚餐",
        "client": {
            "device_id": "device-test",
            "created_at": now,
            "sent_at": now,
            "menu_version": "unknown",
            "total_minor": TRIPE_AND_POT_TOTAL
        }
    })
}

/// A fresh high-entropy key, as the widget makes one per order.
pub fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl TestServer {
    /// Posts an order as a diner who scanned the table's QR code: a dine-in
    /// body without `table_code` gets the table's code, as first read for
    /// this server (see [`Self::post_order_as_is`] for a body sent exactly as
    /// given, after a table's code changed).
    pub async fn post_order(&self, key: Option<&str>, body: &Value) -> Response {
        let mut body = body.clone();
        let table = body["table"].as_str().map(str::trim).map(str::to_owned);
        if let Some(table) =
            table.filter(|_| body["mode"] == "dine_in" && body.get("table_code").is_none())
            && let Some(code) = self.scanned_code(&table).await
        {
            body["table_code"] = Value::String(code);
        }
        self.post_order_as_is(key, &body).await
    }

    /// Table `id`'s code, read once for this server (many orders at once
    /// would otherwise open a database connection each).
    async fn scanned_code(&self, id: &str) -> Option<String> {
        let mut codes = self.table_codes.lock().await;
        if let Some(code) = codes.get(id) {
            return Some(code.clone());
        }
        let code = self.table_code(id).await?;
        codes.insert(id.to_owned(), code.clone());
        Some(code)
    }

    /// Posts `body` as it is: no table code added.
    pub async fn post_order_as_is(&self, key: Option<&str>, body: &Value) -> Response {
        let mut request = self.client.post(self.url("/api/v1/orders")).json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", format!("\"{key}\""));
        }
        request.send().await.expect("POST /api/v1/orders")
    }

    /// Places the standard test order under a new key; the 201 body.
    pub async fn place(&self) -> Value {
        let response = self.post_order(Some(&new_key()), &tripe_and_pot()).await;
        assert_eq!(response.status(), reqwest::StatusCode::CREATED);
        response.json().await.expect("order json")
    }

    /// A GET whose answer is JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET")
            .json()
            .await
            .expect("json")
    }

    /// Open orders, as the kitchen sees them.
    pub async fn kitchen_orders(&self, token: &str) -> Vec<Value> {
        self.client
            .get(self.url("/api/v1/kitchen/orders"))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET")
            .json()
            .await
            .expect("json")
    }

    /// Table `id`'s current code, as printed in its QR link, read in the
    /// database itself; `None` if there is no such table.
    pub async fn table_code(&self, id: &str) -> Option<String> {
        // The server answers once its database is migrated; reading before
        // that would find no tables (and a SQLite file not made yet).
        self.client
            .get(self.url("/healthz"))
            .send()
            .await
            .expect("GET /healthz");
        if let Some(path) = self.database.strip_prefix("sqlite://") {
            return sqlite_table_code(std::path::Path::new(path), id);
        }
        super::postgres_client(&self.database)
            .await
            .query_opt("SELECT code FROM dining_tables WHERE id = $1", &[&id])
            .await
            .expect("read the table's code")
            .map(|row| row.get(0))
    }

    /// Every order in the database, counted in the database itself.
    pub async fn stored_order_count(&self) -> i64 {
        if let Some(path) = self.database.strip_prefix("sqlite://") {
            let connection = rusqlite::Connection::open(path).expect("open db");
            return connection
                .query_row("SELECT COUNT(*) FROM orders", [], |row| row.get(0))
                .expect("count");
        }
        super::postgres_client(&self.database)
            .await
            .query_one("SELECT COUNT(*) FROM orders", &[])
            .await
            .expect("count")
            .get(0)
    }
}

/// Table `id`'s current code in the SQLite database at `path`.
pub fn sqlite_table_code(path: &std::path::Path, id: &str) -> Option<String> {
    use rusqlite::OptionalExtension;
    rusqlite::Connection::open(path)
        .expect("open db")
        .query_row(
            "SELECT code FROM dining_tables WHERE id = ?1",
            [id],
            |row| row.get(0),
        )
        .optional()
        .expect("read the table's code")
}

/// The `type` of a problem+json answer, checking its content type.
pub async fn problem_type(response: Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(content_type, "application/problem+json", "status {status}");
    let body: Value = response.json().await.expect("problem json");
    let kind = body["type"]
        .as_str()
        .expect("type")
        .rsplit('/')
        .next()
        .expect("slug")
        .to_owned();
    (status, kind, body)
}
