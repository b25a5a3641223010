//! The server's HTTP API, as the widget reads it (orders go through `delivery`).

use gloo_net::http::Request;
use wendan_protocol::Menu;
use wendan_protocol::theme::EmbedConfig;

pub const MENU_PATH: &str = "/api/v1/menu";
pub const EMBED_PATH: &str = "/api/v1/embed";

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("the network request failed: {0}")]
    Network(String),
    #[error("the server answered {0}")]
    Status(u16),
    #[error("the server's answer could not be read: {0}")]
    Decode(String),
}

/// A menu refresh: a new menu, or "yours is current" (304).
pub enum MenuFetch {
    Fresh { menu: Menu, etag: Option<String> },
    NotModified,
}

/// Fetches the menu, conditionally on the version the phone already has.
pub async fn fetch_menu(etag: Option<&str>) -> Result<MenuFetch, ApiError> {
    let mut request = Request::get(MENU_PATH);
    if let Some(etag) = etag {
        request = request.header("If-None-Match", etag);
    }
    let response = request
        .send()
        .await
        .map_err(|error| ApiError::Network(error.to_string()))?;
    match response.status() {
        304 => Ok(MenuFetch::NotModified),
        200 => {
            let etag = response.headers().get("etag");
            let menu = response
                .json::<Menu>()
                .await
                .map_err(|error| ApiError::Decode(error.to_string()))?;
            Ok(MenuFetch::Fresh { menu, etag })
        }
        other => Err(ApiError::Status(other)),
    }
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
