//! The server's HTTP API, as the widget reads it (orders go through `delivery`).

use gloo_net::http::Request;
use wendan_payments::bill::TableBill;
use wendan_payments::wire::{Channel, PaymentOptions, PaymentView};
use wendan_protocol::theme::EmbedConfig;
use wendan_protocol::{CallRequest, IdempotencyKey, Menu, PlacedOrder, Problem};
use wendan_tablecart::{CartPush, CartState, RoundPress, RoundSent};

use crate::errors::ApiError;

pub const MENU_PATH: &str = "/api/v1/menu";
pub const EMBED_PATH: &str = "/api/v1/embed";
pub const PAYMENT_OPTIONS_PATH: &str = "/api/v1/payments/options";

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
    read_json(Request::get(EMBED_PATH).send().await).await
}

/// How this restaurant's diners can pay.
pub async fn payment_options() -> Result<PaymentOptions, ApiError> {
    read_json(Request::get(PAYMENT_OPTIONS_PATH).send().await).await
}

/// "Pay": starts the order's payment, or resumes the one in flight (the
/// server never makes a second one for an order, whoever asks).
pub async fn start_payment(
    order_id: &str,
    channel: &Channel,
    key: &IdempotencyKey,
) -> Result<PaymentView, ApiError> {
    let request = Request::post(&format!("/api/v1/orders/{order_id}/payments"))
        .header("Idempotency-Key", &key.to_header())
        .json(channel)
        .map_err(|error| ApiError::Decode(error.to_string()))?;
    read_json(request.send().await).await
}

/// Where the order's payment stands; while it is unknown the server asks
/// the provider before it answers.
pub async fn payment_status(order_id: &str) -> Result<PaymentView, ApiError> {
    read_json(
        Request::get(&format!("/api/v1/orders/{order_id}/payment"))
            .send()
            .await,
    )
    .await
}

/// The diner scanned the table's code: the table's visit (开台), opened by
/// this scan unless the restaurant's staff open tables.
///
/// Only whether it was taken matters to the page, so the answer's body is
/// not read (its reader would cost the wasm).
pub async fn scan_table(table: &str, code: &str) -> Result<(), ApiError> {
    let request = Request::post(&format!("/api/v1/tables/{}/visit", encode(table)))
        .json(&serde_json::json!({ "code": code }))
        .map_err(|error| ApiError::Decode(error.to_string()))?;
    taken(request.send().await).await
}

/// The table's bill for its open visit, as every phone at the table reads it.
pub async fn table_bill(table: &str, code: &str) -> Result<TableBill, ApiError> {
    let path = format!(
        "/api/v1/tables/{}/bill?code={}",
        encode(table),
        encode(code)
    );
    read_json(Request::get(&path).send().await).await
}

/// A call for service (催单, 呼叫服务员), under the key the phone made
/// before its first send: a retry is the same call.
/// Only whether the restaurant has it matters to the page (the call is the
/// kitchen's to show), so the answer's body is not read.
pub async fn call_staff(table: &str, key: &str, call: &CallRequest) -> Result<(), ApiError> {
    let request = Request::post(&format!("/api/v1/tables/{}/calls", encode(table)))
        .header("Idempotency-Key", &format!("\"{key}\""))
        .json(call)
        .map_err(|error| ApiError::Decode(error.to_string()))?;
    taken(request.send().await).await
}

/// The cart of the table's open visit: 404 `not-found` when the
/// restaurant's phones each keep their own cart (`--table-cart per-phone`).
pub async fn table_cart(table: &str, code: &str) -> Result<CartState, ApiError> {
    read_json(Request::get(&table_cart_path(table, "", code)).send().await).await
}

/// This phone's next changes to the table's cart; the cart after them.
pub async fn push_table_cart(table: &str, push: &CartPush) -> Result<CartState, ApiError> {
    let request = Request::post(&format!("/api/v1/tables/{}/cart", encode(table)))
        .json(push)
        .map_err(|error| ApiError::Decode(error.to_string()))?;
    read_json(request.send().await).await
}

/// "Send to kitchen" for the round on this phone's screen.
pub async fn send_round(table: &str, press: &RoundPress) -> Result<RoundSent, ApiError> {
    let request = Request::post(&format!("/api/v1/tables/{}/cart/rounds", encode(table)))
        .json(press)
        .map_err(|error| ApiError::Decode(error.to_string()))?;
    read_json(request.send().await).await
}

/// The table's cart stream (`text/event-stream` of `cart` events).
pub fn table_cart_events_path(table: &str, code: &str) -> String {
    table_cart_path(table, "/events", code)
}

fn table_cart_path(table: &str, tail: &str, code: &str) -> String {
    format!(
        "/api/v1/tables/{}/cart{tail}?code={}",
        encode(table),
        encode(code)
    )
}

/// An order as it stands now (a round's order, which no outbox follows).
pub async fn order(id: &str) -> Result<PlacedOrder, ApiError> {
    read_json(
        Request::get(&format!("/api/v1/orders/{}", encode(id)))
            .send()
            .await,
    )
    .await
}

fn encode(part: &str) -> String {
    String::from(js_sys::encode_uri_component(part))
}

/// A 200, or why not (as `read_json`), without reading the answer.
async fn taken(sent: Result<gloo_net::http::Response, gloo_net::Error>) -> Result<(), ApiError> {
    let response = sent.map_err(|error| ApiError::Network(error.to_string()))?;
    if response.status() == 200 {
        return Ok(());
    }
    Err(refusal(response).await)
}

/// Why the server did not answer 200: a refusal's problem document says
/// its kind, which the diner is told (`i18n::problem_text`).
async fn refusal(response: gloo_net::http::Response) -> ApiError {
    let status = response.status();
    let kind = response.json::<Problem>().await.ok().and_then(|p| p.kind());
    kind.map_or(ApiError::Status(status), ApiError::Refused)
}

async fn read_json<T: serde::de::DeserializeOwned>(
    sent: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<T, ApiError> {
    let response = sent.map_err(|error| ApiError::Network(error.to_string()))?;
    if response.status() != 200 {
        return Err(refusal(response).await);
    }
    response
        .json::<T>()
        .await
        .map_err(|error| ApiError::Decode(error.to_string()))
}
