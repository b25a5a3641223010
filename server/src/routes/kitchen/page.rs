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

use axum::extract::Query;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use wendan_protocol::limits::{MAX_CANCEL_REASON_CHARS, MAX_PAUSE_MESSAGE_CHARS};

use crate::kitchen::words::page_languages;
use crate::language::{self, Language};

/// The page with its inputs' `maxlength` filled in from the limits the
/// server enforces, so the two cannot drift apart, and every language's
/// words (a JSON data block, which the CSP allows as it never runs).
static HTML: LazyLock<String> = LazyLock::new(|| {
    include_str!("../../../kitchen-display/kitchen.html")
        .replace("{{LANGUAGES}}", &languages_json())
        .replace(
            "{{MAX_CANCEL_REASON_CHARS}}",
            &MAX_CANCEL_REASON_CHARS.to_string(),
        )
        .replace(
            "{{MAX_PAUSE_MESSAGE_CHARS}}",
            &MAX_PAUSE_MESSAGE_CHARS.to_string(),
        )
});
/// The picker's languages and their words, safe inside `<script>`: no
/// word may end the element early.
fn languages_json() -> String {
    serde_json::to_string(&page_languages())
        .expect("the dictionaries are static strings, which always serialize")
        .replace("</", "<\\/")
}

const SCRIPT: &str = include_str!("../../../kitchen-display/kitchen.js");
const STYLE: &str = include_str!("../../../kitchen-display/kitchen.css");

/// Revalidated on every load, so a new server version is picked up at once.
const NO_CACHE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "no-cache");

/// `?lang=` on the kitchen page.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
}

/// `GET /kitchen`: the shell, in the language of `?lang=` or the browser
/// (a choice the cook made on this tablet wins in the page). It holds no
/// data; the script logs in and reads the board.
pub async fn page(Query(query): Query<PageQuery>, headers: HeaderMap) -> impl IntoResponse {
    let accept_language = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    let language = language::from_request(query.lang.as_deref(), accept_language);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            NO_CACHE,
            (header::VARY, "Accept-Language"),
        ],
        page_in(language),
    )
}

/// The shell in `language` (its `<html lang>`, which the script reads).
fn page_in(language: Language) -> String {
    HTML.replace("{{LANG}}", language.tag())
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
        for language in Language::ALL {
            let page = page_in(language);
            assert!(!page.contains("{{"), "every placeholder filled");
            assert!(page.contains(&format!("<html lang=\"{}\">", language.tag())));
        }
        assert!(HTML.contains(&format!(
            "id=\"cancel-reason\" name=\"reason\" required maxlength=\"{MAX_CANCEL_REASON_CHARS}\""
        )));
        assert!(HTML.contains(&format!(
            "id=\"pause-message\" name=\"message\" required maxlength=\"{MAX_PAUSE_MESSAGE_CHARS}\""
        )));
    }
}
