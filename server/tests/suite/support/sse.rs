//! Reading Server-Sent Events as a browser would.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

/// Reads SSE frames until `count` events arrived: (id, event, data); the
/// id is empty for events that have none.
pub async fn read_events(
    response: reqwest::Response,
    count: usize,
) -> Vec<(String, String, Value)> {
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    let mut events = Vec::new();
    while events.len() < count {
        let chunk = tokio::time::timeout(Duration::from_secs(5), body.next())
            .await
            .expect("an event within 5 s")
            .expect("stream open")
            .expect("chunk");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let field = |name: &str| {
                frame
                    .lines()
                    .find_map(|line| line.strip_prefix(&format!("{name}:")))
                    .map(|value| value.trim().to_owned())
            };
            if let (Some(event), Some(data)) = (field("event"), field("data")) {
                let id = field("id").unwrap_or_default();
                events.push((id, event, serde_json::from_str(&data).expect("json data")));
            }
        }
    }
    events
}
