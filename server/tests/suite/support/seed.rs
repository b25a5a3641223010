//! A day of orders written straight into the database, in the shape intake
//! and the kitchen leave them, so the dashboard's figures can be checked
//! against numbers worked out by hand. SQLite or PostgreSQL, like the server.
#![allow(dead_code)]

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{TestServer, postgres_client};

/// One stored order: its trading day, times, and later statuses.
pub struct SeedOrder {
    pub id: &'static str,
    pub business_day: &'static str,
    pub received_at: OffsetDateTime,
    pub placed_at: OffsetDateTime,
    pub later: Vec<(&'static str, OffsetDateTime)>,
}

/// One stored per-minute count.
pub struct SeedCount {
    pub minute: OffsetDateTime,
    pub kind: &'static str,
    pub count: i64,
}

fn text(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).expect("formattable")
}

impl TestServer {
    pub async fn seed(&self, orders: &[SeedOrder], counts: &[SeedCount]) {
        // The server migrates the database before it answers its first request.
        let ready = self.client.get(self.url("/readyz")).send().await;
        assert!(ready.is_ok_and(|r| r.status().is_success()), "server ready");
        if let Some(path) = self.database.strip_prefix("sqlite://") {
            let connection = rusqlite::Connection::open(path).expect("open db");
            for (number, order) in (1i64..).zip(orders) {
                let status = order.later.last().map_or("received", |(status, _)| *status);
                connection
                    .execute(
                        "INSERT INTO orders (id, idempotency_key, fingerprint, business_day, number,
                             status, device_id, received_at, placed_at, total_minor,
                             response_status, response_body)
                         VALUES (?1, ?1, 'seed', ?2, ?3, ?4, 'seed', ?5, ?6, 100, 201, X'7B7D')",
                        rusqlite::params![
                            order.id,
                            order.business_day,
                            number,
                            status,
                            text(order.received_at),
                            text(order.placed_at)
                        ],
                    )
                    .expect("insert order");
                let events = std::iter::once(("received", order.received_at))
                    .chain(order.later.iter().copied());
                for (status, at) in events {
                    connection
                        .execute(
                            "INSERT INTO order_events (order_id, status, at) VALUES (?1, ?2, ?3)",
                            rusqlite::params![order.id, status, text(at)],
                        )
                        .expect("insert event");
                }
            }
            for count in counts {
                connection
                    .execute(
                        "INSERT INTO intake_counts (minute, kind, count) VALUES (?1, ?2, ?3)",
                        rusqlite::params![count.minute.unix_timestamp(), count.kind, count.count],
                    )
                    .expect("insert count");
            }
            return;
        }
        let client = postgres_client(&self.database).await;
        for (number, order) in (1i32..).zip(orders) {
            let status = order.later.last().map_or("received", |(status, _)| *status);
            client
                .execute(
                    "INSERT INTO orders (id, idempotency_key, fingerprint, business_day, number,
                         status, device_id, received_at, placed_at, total_minor,
                         response_status, response_body)
                     VALUES ($1, $1, 'seed', $2, $3, $4, 'seed', $5::text::timestamptz,
                             $6::text::timestamptz, 100, 201, '\\x7b7d')",
                    &[
                        &order.id,
                        &order.business_day,
                        &number,
                        &status,
                        &text(order.received_at),
                        &text(order.placed_at),
                    ],
                )
                .await
                .expect("insert order");
            let events =
                std::iter::once(("received", order.received_at)).chain(order.later.iter().copied());
            for (status, at) in events {
                client
                    .execute(
                        "INSERT INTO order_events (order_id, status, at)
                         VALUES ($1, $2, $3::text::timestamptz)",
                        &[&order.id, &status, &text(at)],
                    )
                    .await
                    .expect("insert event");
            }
        }
        for count in counts {
            client
                .execute(
                    "INSERT INTO intake_counts (minute, kind, count) VALUES ($1, $2, $3)",
                    &[&count.minute.unix_timestamp(), &count.kind, &count.count],
                )
                .await
                .expect("insert count");
        }
    }
}
