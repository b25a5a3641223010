//! Limits against scripts and floods: a script is held back with 429 and
//! Retry-After, idle connections are closed, one address cannot take every
//! connection or every live-status stream, and a diner's retry of a stored
//! order always gets its answer.

use std::net::SocketAddr;
use std::time::Duration;

use crate::support::TestServer;
use crate::support::orders::{new_key, problem_type, tripe_and_pot};
use serde_json::Value;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpSocket, TcpStream};

fn from_device(device: &str) -> Value {
    let mut order = tripe_and_pot();
    order["client"]["device_id"] = device.into();
    order
}

#[tokio::test]
async fn a_device_past_its_budget_gets_429_with_retry_after_but_its_retries_still_land() {
    let server = TestServer::start(&["--orders-per-device-per-minute", "3"]).await;
    let first_key = new_key();
    let first_order = from_device("script");
    let first = server.post_order(Some(&first_key), &first_order).await;
    assert_eq!(first.status(), 201);
    for _ in 0..2 {
        let response = server
            .post_order(Some(&new_key()), &from_device("script"))
            .await;
        assert_eq!(response.status(), 201);
    }

    let limited = server
        .post_order(Some(&new_key()), &from_device("script"))
        .await;
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(
        (1..=21).contains(&retry_after),
        "retry after {retry_after} s"
    );
    let (status, kind, _) = problem_type(limited).await;
    assert_eq!((status, kind.as_str()), (429, "rate-limited"));

    let retry = server.post_order(Some(&first_key), &first_order).await;
    assert_eq!(
        retry.status(),
        201,
        "a retry of a stored order is never limited"
    );
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let other = server
        .post_order(Some(&new_key()), &from_device("diner"))
        .await;
    assert_eq!(other.status(), 201, "other devices are not held back");
    assert_eq!(server.stored_order_count().await, 4);
}

#[tokio::test]
async fn rotating_device_ids_meets_the_address_limit() {
    let server = TestServer::start(&["--orders-per-address-per-minute", "5"]).await;
    let mut created = 0;
    for n in 0..12 {
        let response = server
            .post_order(Some(&new_key()), &from_device(&format!("fake-{n}")))
            .await;
        match response.status().as_u16() {
            201 => created += 1,
            429 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(created, 5);
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_idle_timeout() {
    let server = TestServer::start(&["--idle-timeout-secs", "1"]).await;
    let mut silent = TcpStream::connect(server.address).await.expect("connect");
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(20), silent.read(&mut byte))
        .await
        .expect("the server closes a silent connection");
    assert!(matches!(read, Ok(0) | Err(_)), "closed, got {read:?}");
}

/// A connection from another loopback address (Linux routes all of 127/8).
async fn connect_from(source: &str, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(format!("{source}:0").parse().expect("address"))
        .expect("bind source address");
    socket.connect(server).await.expect("connect")
}

#[tokio::test]
async fn a_flood_of_idle_connections_from_one_address_does_not_starve_order_intake() {
    let server = TestServer::start(&["--max-connections-per-address", "8"]).await;
    let mut flood = Vec::new();
    for _ in 0..40 {
        flood.push(connect_from("127.0.0.2", server.address).await);
    }
    // The ninth and later were closed by the server at once.
    let mut closed = 0;
    for connection in &mut flood[8..] {
        let mut byte = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_secs(5), connection.read(&mut byte)).await
        {
            closed += 1;
        }
    }
    assert_eq!(closed, 32);

    let response = server.post_order(Some(&new_key()), &tripe_and_pot()).await;
    assert_eq!(response.status(), 201, "a diner elsewhere still orders");
    drop(flood);
}

#[tokio::test]
async fn live_status_streams_are_capped_per_address() {
    let server = TestServer::start(&["--max-event-streams-per-address", "2"]).await;
    let order = server.place().await;
    let events = server.url(&format!(
        "/api/v1/orders/{}/events",
        order["id"].as_str().expect("id")
    ));
    let first = server
        .client
        .get(&events)
        .send()
        .await
        .expect("first stream");
    let second = server
        .client
        .get(&events)
        .send()
        .await
        .expect("second stream");
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );

    let third = server
        .client
        .get(&events)
        .send()
        .await
        .expect("third stream");
    assert!(third.headers().contains_key("retry-after"));
    let (status, kind, _) = problem_type(third).await;
    assert_eq!((status, kind.as_str()), (503, "overloaded"));

    drop(first);
    // The server notices the closed stream when it next writes to it, or
    // when the connection closes; a new stream then gets the place.
    let mut reopened = None;
    for _ in 0..50 {
        let response = server.client.get(&events).send().await.expect("stream");
        if response.status() == 200 {
            reopened = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened.is_some(), "a closed stream gives its place back");
    drop(second);
}
