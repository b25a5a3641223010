//! `cargo xtask bench`: the numbers we promise, measured.
//!
//! - `transfer`: the widget's first-load transfer (HTML, JS, wasm, CSS), and
//!   the size of the loader restaurants embed (`embed.js`).
//! - `widget`: tap-to-durable and a throttled cold load, in Chromium.
//! - `lighthouse`: Lighthouse's scores for the diner's first visit.
//! - `intake`: durable orders per second and latency under load from `wrk`,
//!   beside the same server's `/healthz` as the ceiling.

pub(crate) mod intake;
mod lighthouse;
mod transfer;
mod widget;
mod wrk;

pub use intake::http_get;

use std::path::Path;

use crate::{build, setup};

pub fn run(root: &Path) -> anyhow::Result<()> {
    setup::run(root)?;
    let dist = build::widget(root)?;
    transfer::report(&dist)?;
    crate::embed_size::report(&dist)?;
    let server = build::server(root, build::Widget::Inside)?;
    widget::report(root, &dist, &server)?;
    lighthouse::report(root, &dist, &server)?;
    intake::report(root, &server)
}
