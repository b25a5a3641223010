//! The kitchen display: its domain in plain Rust (`board`, `age`,
//! `controls`, `session`) and the page that draws it (`page`).

pub mod age;
pub mod board;
pub mod controls;
pub mod page;
pub mod session;
