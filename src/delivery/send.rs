//! One attempt: `POST /api/v1/orders` with the order's key, and what came back.

use std::time::Duration;

use gloo_net::http::Request;
use wendan_outbox::Outcome;
use wendan_protocol::idempotency_key::HEADER;
use wendan_protocol::{IdempotencyKey, OrderRequest};

use super::clock;

pub const ORDERS_PATH: &str = "/api/v1/orders";

/// How long to wait for an answer before calling it "no answer".
const TIMEOUT: Duration = Duration::from_secs(15);

pub async fn send_order(key: &IdempotencyKey, body: &OrderRequest) -> Outcome {
    let controller = web_sys::AbortController::new().ok();
    let request = Request::post(ORDERS_PATH)
        .header(HEADER, &key.to_header())
        .abort_signal(controller.as_ref().map(|c| c.signal()).as_ref())
        .json(body);
    let request = match request {
        Ok(request) => request,
        Err(error) => return Outcome::no_answer(format!("cannot build the request: {error}")),
    };
    let timeout = gloo_timers::callback::Timeout::new(TIMEOUT.as_millis() as u32, move || {
        if let Some(controller) = controller {
            controller.abort();
        }
    });
    let response = request.send().await;
    drop(timeout);
    let response = match response {
        Ok(response) => response,
        Err(error) => return Outcome::no_answer(error.to_string()),
    };
    let retry_after = response.headers().get("retry-after");
    let status = response.status();
    match response.text().await {
        Ok(body) => Outcome::from_response(status, retry_after.as_deref(), &body, clock::now()),
        Err(error) => Outcome::no_answer(format!("the answer was cut off: {error}")),
    }
}
