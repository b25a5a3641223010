//! The page's reachability probe (the rules are `wendan_outbox::probe`):
//! while an order waits out a network failure, ask the server every couple
//! of seconds whether it can be reached, and when it says yes, send every
//! waiting order at once.

use std::cell::RefCell;
use std::time::Duration;

use gloo_net::http::Request;
use wendan_outbox::OutboxEntry;
use wendan_outbox::probe::{ProbeAnswer, ProbeSchedule};

use super::clock;

pub const REACHABLE_PATH: &str = "/api/v1/reachable";

/// A probe with no answer by then counts as unreachable.
const TIMEOUT: Duration = Duration::from_secs(3);

thread_local! {
    static SCHEDULE: RefCell<ProbeSchedule> = RefCell::new(ProbeSchedule::default());
}

/// Whether a probe is due for `entries` now (cheap: the page's tick asks
/// it every second).
pub fn due(entries: &[OutboxEntry]) -> bool {
    let now = clock::now();
    SCHEDULE.with_borrow(|schedule| schedule.due(entries, now))
}

/// Probes (the caller checked [`due`]); whether the network waits end now.
pub async fn network_back() -> bool {
    SCHEDULE.with_borrow_mut(|schedule| schedule.sent(clock::now()));
    let answer = ask().await;
    SCHEDULE.with_borrow_mut(|schedule| schedule.heard(answer, clock::now()))
}

async fn ask() -> ProbeAnswer {
    let controller = web_sys::AbortController::new().ok();
    let request = Request::get(REACHABLE_PATH)
        .cache(web_sys::RequestCache::NoStore)
        .abort_signal(controller.as_ref().map(|c| c.signal()).as_ref());
    let timeout = gloo_timers::callback::Timeout::new(TIMEOUT.as_millis() as u32, move || {
        if let Some(controller) = controller {
            controller.abort();
        }
    });
    let response = request.send().await;
    drop(timeout);
    match response {
        Ok(response) => ProbeAnswer::from_status(
            response.status(),
            response.headers().get("retry-after").as_deref(),
            clock::now(),
        ),
        Err(_) => ProbeAnswer::Unreachable,
    }
}
