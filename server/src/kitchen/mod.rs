//! The kitchen display's domain, in plain Rust: the board, the cook's
//! buttons, age timers, switches and words. Its routes and page are in
//! `routes::kitchen`, its login in `auth`.

pub mod actions;
pub mod age;
pub mod board;
pub mod controls;
pub mod words;
