//! `cargo xtask bench`: the numbers we promise, measured.
//!
//! - `transfer`: the widget's first-load transfer (HTML, JS, wasm, CSS), and
//!   the size of the loader restaurants embed (`embed.js`).
//! - `widget`: tap-to-durable and a throttled cold load, in Chromium.
//! - `lighthouse`: Lighthouse's scores for the diner's first visit.
//! - `intake`: durable orders per second and latency under load from `wrk`,
//!   beside the same server's `/healthz` as the ceiling.
//! - `table_cart`: the table's shared cart at 200 tables of 6 phones: pushes
//!   per second, and the time from one phone's tap to the other phones'
//!   screens, on SQLite (`cargo xtask bench table-cart` runs it alone;
//!   `--postgres` runs it on PostgreSQL too).

pub(crate) mod intake;
mod lighthouse;
mod table_cart;
mod transfer;
mod widget;
mod wrk;

pub use intake::http_get;

use std::path::Path;

use crate::{build, setup};

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    match args {
        [] => {}
        [only] if only == "table-cart" => return table_cart::run_alone(root, false),
        [only, postgres] if only == "table-cart" && postgres == "--postgres" => {
            return table_cart::run_alone(root, true);
        }
        _ => anyhow::bail!("usage: cargo xtask bench [table-cart [--postgres]]"),
    }
    setup::run(root)?;
    let dist = build::widget(root)?;
    transfer::report(&dist)?;
    crate::embed_size::report(&dist)?;
    let server = build::server(root, build::Widget::Inside)?;
    widget::report(root, &dist, &server)?;
    lighthouse::report(root, &dist, &server)?;
    intake::report(root, &server)?;
    table_cart::report(root, &server, false)
}
