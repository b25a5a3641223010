//! `cargo xtask bench`: the numbers we promise, measured.
//!
//! - `transfer`: the widget's first-load transfer (HTML, JS, wasm, CSS).
//! - `intake`: durable orders per second and latency under load from `wrk`,
//!   beside the same server's `/healthz` as the ceiling.

mod intake;
mod transfer;
mod wrk;

use std::path::Path;

use crate::{build, setup};

pub fn run(root: &Path) -> anyhow::Result<()> {
    setup::run(root)?;
    let dist = build::widget(root)?;
    transfer::report(&dist)?;
    let server = build::server(root)?;
    intake::report(root, &server)
}
