//! Slow clients cannot hold a connection for ever: a request head must
//! arrive within its deadline however the bytes trickle, a body within its
//! own, and a body announced bigger than the endpoint takes is refused with
//! 413 before a byte of it is read. Live-status streams are answers, not
//! requests, and outlive both deadlines.

use std::time::{Duration, Instant};

use crate::support::TestServer;
use crate::support::orders::new_key;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection (or `limit` passes): what it
/// answered, and when it closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, Option<Instant>) {
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => {
                return (
                    String::from_utf8_lossy(&answer).into_owned(),
                    Some(Instant::now()),
                );
            }
            Ok(Ok(read)) => answer.extend_from_slice(&buffer[..read]),
            Err(_) => return (String::from_utf8_lossy(&answer).into_owned(), None),
        }
    }
}

#[tokio::test]
async fn a_request_head_trickled_one_byte_every_two_seconds_is_cut_at_its_deadline() {
    let server = TestServer::start(&["--header-timeout-secs", "3"]).await;
    let mut stream = TcpStream::connect(server.address).await.expect("connect");
    let started = Instant::now();
    let head = b"GET /api/v1/menu HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaa\r\n\r\n";
    let mut cut_after = None;
    for byte in head {
        if stream.write_all(&[*byte]).await.is_err() {
            cut_after = Some(started.elapsed());
            break;
        }
        // Anything read (the close, or an answer before it) means cut.
        let mut probe = [0u8; 1024];
        let read = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut probe)).await;
        if read.is_ok() {
            cut_after = Some(started.elapsed());
            break;
        }
        if started.elapsed() > Duration::from_secs(20) {
            break;
        }
    }
    let cut_after = cut_after.expect("the server cut the trickling head");
    assert!(
        cut_after < Duration::from_secs(7),
        "cut after {cut_after:?}, deadline 3 s"
    );
}

#[tokio::test]
async fn a_body_announced_too_big_gets_413_at_once_without_being_sent() {
    let server = TestServer::start(&[]).await;
    for (path, method) in [
        ("/api/v1/orders", "POST"),
        ("/api/v1/kitchen/intake", "PUT"),
        ("/api/v1/csp-reports", "POST"),
    ] {
        let mut stream = TcpStream::connect(server.address).await.expect("connect");
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Idempotency-Key: {}\r\nContent-Length: 1000000000\r\n\r\n",
            server.address,
            new_key()
        );
        stream.write_all(head.as_bytes()).await.expect("head");
        let started = Instant::now();
        let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(3)).await;
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "{method} {path}: {answer:?}"
        );
        assert!(
            answer.contains("application/problem+json") && answer.contains("payload-too-large"),
            "{answer}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}

#[tokio::test]
async fn a_trickled_body_is_cut_at_its_deadline() {
    let server = TestServer::start(&["--body-timeout-secs", "2"]).await;
    let mut stream = TcpStream::connect(server.address).await.expect("connect");
    let head = format!(
        "POST /api/v1/orders HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Idempotency-Key: {}\r\nContent-Length: 200\r\n\r\n{{",
        server.address,
        new_key()
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    let started = Instant::now();
    let writer = tokio::spawn(async move {
        // One byte every half second: 200 bytes would take 100 s.
        for _ in 0..199 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if stream.write_all(b" ").await.is_err() {
                break;
            }
            let mut probe = [0u8; 4096];
            if let Ok(Ok(read)) =
                tokio::time::timeout(Duration::from_millis(1), stream.read(&mut probe)).await
            {
                return String::from_utf8_lossy(&probe[..read]).into_owned();
            }
        }
        String::new()
    });
    let answer = tokio::time::timeout(Duration::from_secs(15), writer)
        .await
        .expect("the trickled body is cut well before it would end")
        .expect("writer");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(answer.contains("request-timeout"), "{answer}");
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(6),
        "cut after {took:?}, deadline 2 s"
    );
    assert_eq!(server.stored_order_count().await, 0);
}

#[tokio::test]
async fn a_live_status_stream_outlives_both_deadlines() {
    let server =
        TestServer::start(&["--header-timeout-secs", "1", "--body-timeout-secs", "1"]).await;
    let order = server.place().await;
    let id = order["id"].as_str().expect("id");
    let stream = server.order_events(id).await;
    assert_eq!(stream.status(), 200);
    let mut events = stream.bytes_stream();
    tokio::time::sleep(Duration::from_secs(3)).await;

    let moved = server
        .client
        .post(server.url(&format!("/api/v1/kitchen/orders/{id}/status")))
        .bearer_auth(wendan_server::config::DEMO_KITCHEN_TOKEN)
        .json(&serde_json::json!({ "status": "preparing" }))
        .send()
        .await
        .expect("POST status");
    assert_eq!(moved.status(), 200, "the kitchen moved the order on");
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !seen.contains("preparing") {
        use futures_util::StreamExt;
        let chunk = tokio::time::timeout_at(deadline, events.next())
            .await
            .expect("an event after both deadlines")
            .expect("the stream is still open")
            .expect("chunk");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}
