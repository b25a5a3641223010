//! The server's HTTP API, as the widget reads it (orders go through `delivery`).

use gloo_net::http::Request;
use wendan_protocol::Menu;
use wendan_protocol::theme::EmbedConfig;

use crate::errors::ApiError;

pub const MENU_PATH: &str = "/api/v1/menu";
pub const EMBED_PATH: &str = "/api/v1/embed";

/// Fetches the menu and its ETag. No `If-None-Match` of our own: the server
/// marks the menu `no-cache` with a strong ETag, so the browser's HTTP cache
/// revalidates it (a 304 on the wire, the cached body here), and a request
/// with no extra headers is one the `<link rel="preload">` in index.html
/// answers, on every visit.
pub async fn fetch_menu() -> Result<(Menu, Option<String>), ApiError> {
    let response = Request::get(MENU_PATH)
        .send()
        .await
        .map_err(|error| ApiError::Network(error.to_string()))?;
    if response.status() != 200 {
        return Err(ApiError::Status(response.status()));
    }
    let etag = response.headers().get("etag");
    let menu = response
        .json::<Menu>()
        .await
        .map_err(|error| ApiError::Decode(error.to_string()))?;
    Ok((menu, etag))
}

/// Which sites may embed and command the widget, and the brand.
pub async fn fetch_embed_config() -> Result<EmbedConfig, ApiError> {
    let response = Request::get(EMBED_PATH)
        .send()
        .await
        .map_err(|error| ApiError::Network(error.to_string()))?;
    if response.status() != 200 {
        return Err(ApiError::Status(response.status()));
    }
    response
        .json::<EmbedConfig>()
        .await
        .map_err(|error| ApiError::Decode(error.to_string()))
}
