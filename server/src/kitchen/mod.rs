//! The kitchen display: its domain in plain Rust (`board`, `age`,
//! `controls`) and the page that draws it (`page`). Its login is in `auth`.

pub mod age;
pub mod board;
pub mod controls;
pub mod page;
