//! The server's pure intake and menu code, compiled in from its own source
//! files: the fuzz targets exercise exactly what wendan-server runs, without
//! building axum, Tokio and SQLite with libFuzzer's instrumentation.
//! Each target uses some of this.

#![allow(dead_code)]

#[allow(dead_code)]
#[path = "../../server/src/menu.rs"]
pub mod menu;

#[allow(dead_code)]
#[path = "../../server/src/intake.rs"]
pub mod intake;

use std::sync::LazyLock;

use time::OffsetDateTime;
use time::macros::datetime;

/// The demo restaurant's menu, as the server publishes it.
pub static DEMO_MENU: LazyLock<menu::PublishedMenu> =
    LazyLock::new(|| menu::PublishedMenu::demo().expect("the demo menu is valid"));

/// Noon in Beijing: the demo restaurant is open, so orders reach pricing.
pub const NOON_IN_BEIJING: OffsetDateTime = datetime!(2026-11-23 04:00 UTC);
