//! The kitchen display's page: a server-rendered HTML shell with one
//! external script and one stylesheet, compiled into the binary.
//!
//! Why not a second Leptos app: the display is a thin adapter over the
//! `board` endpoint (all its rules are in Rust on the server), it must work
//! wherever the server runs without a `--static` directory, and a few KiB
//! of plain JavaScript load instantly on an old kitchen tablet. Why external
//! files rather than inline: the Content-Security-Policy forbids inline
//! scripts and styles.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::IntoResponse;
use wendan_protocol::limits::{MAX_CANCEL_REASON_CHARS, MAX_PAUSE_MESSAGE_CHARS};

/// The page with its inputs' `maxlength` filled in from the limits the
/// server enforces, so the two cannot drift apart.
static HTML: LazyLock<String> = LazyLock::new(|| {
    include_str!("../../../kitchen-display/kitchen.html")
        .replace(
            "{{MAX_CANCEL_REASON_CHARS}}",
            &MAX_CANCEL_REASON_CHARS.to_string(),
        )
        .replace(
            "{{MAX_PAUSE_MESSAGE_CHARS}}",
            &MAX_PAUSE_MESSAGE_CHARS.to_string(),
        )
});
const SCRIPT: &str = include_str!("../../../kitchen-display/kitchen.js");
const STYLE: &str = include_str!("../../../kitchen-display/kitchen.css");

/// Revalidated on every load, so a new server version is picked up at once.
const NO_CACHE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "no-cache");

/// `GET /kitchen`: the shell. It holds no data; the script logs in and reads the board.
pub async fn page() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8"), NO_CACHE],
        HTML.as_str(),
    )
}

/// `GET /kitchen/kitchen.js`
pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            NO_CACHE,
        ],
        SCRIPT,
    )
}

/// `GET /kitchen/kitchen.css`
pub async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), NO_CACHE],
        STYLE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inputs_are_bounded_by_the_servers_limits() {
        assert!(!HTML.contains("{{"), "every placeholder filled");
        assert!(HTML.contains(&format!(
            "id=\"cancel-reason\" name=\"reason\" required maxlength=\"{MAX_CANCEL_REASON_CHARS}\""
        )));
        assert!(HTML.contains(&format!(
            "id=\"pause-message\" name=\"message\" required maxlength=\"{MAX_PAUSE_MESSAGE_CHARS}\""
        )));
    }
}
