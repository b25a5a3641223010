//! The server's integration tests, one module per area, in one test binary:
//! each binary links the whole server, so one binary instead of two dozen
//! links once and keeps `target/` small.
//!
//! Every test starts its own server on its own database (`support`). Tests
//! whose name starts with `replicas_` need PostgreSQL; `cargo xtask test`
//! skips them on SQLite with `--skip replicas_`. One test module installs a
//! process-wide log subscriber (`csp_reports::server_log`), which sees every
//! server in the binary; it only keeps the CSP reports' log lines.

mod paysim_harness;
mod support;

mod admin;
mod backup;
mod crash;
mod csp_reports;
mod doctor;
mod embedding;
mod forgery;
mod intake_security;
mod kitchen;
mod kitchen_display;
mod limits;
mod menu;
mod metrics;
mod openapi;
mod orders;
mod payment_adapters;
mod payment_config;
mod payment_sweep;
mod payments;
mod replicas;
mod request_log;
mod service_calls;
mod sessions;
mod slow_clients;
mod storage_contract;
mod table_cart;
mod table_cart_faults;
mod table_codes;
mod table_visits;
mod tokens;
mod version;
mod wechat_jsapi;
mod widget_files;
