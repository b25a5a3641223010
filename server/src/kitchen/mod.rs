//! The kitchen display: its domain in plain Rust (`board`, `actions`, `age`,
//! `controls`, `words`) and the page that draws it (`page`). Its login is in
//! `auth`.

pub mod actions;
pub mod age;
pub mod board;
pub mod controls;
pub mod page;
pub mod words;
