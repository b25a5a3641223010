//! The server's HTTP API, as the widget uses it.

use gloo_net::http::Request;
use wendan_protocol::Menu;

pub const MENU_PATH: &str = "/api/v1/menu";

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("the network request failed: {0}")]
    Network(String),
    #[error("the server answered {0}")]
    Status(u16),
    #[error("the server's answer could not be read: {0}")]
    Decode(String),
}

/// Fetches the current menu.
pub async fn fetch_menu() -> Result<Menu, ApiError> {
    let response = Request::get(MENU_PATH)
        .send()
        .await
        .map_err(|error| ApiError::Network(error.to_string()))?;
    if !response.ok() {
        return Err(ApiError::Status(response.status()));
    }
    response
        .json::<Menu>()
        .await
        .map_err(|error| ApiError::Decode(error.to_string()))
}
