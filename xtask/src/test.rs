//! `cargo xtask test`: every test, in the order that fails fastest.

use std::path::Path;

use crate::postgres::TestPostgres;
use crate::process::{execute, tool};
use crate::setup::{CHROMEDRIVER, WASM_TARGET};
use crate::{build, chaos, setup, supply_chain};

pub fn run(root: &Path) -> anyhow::Result<()> {
    setup::run(root)?;

    step("format");
    execute(tool(root, "cargo").args(["fmt", "--all", "--check"]))?;

    step("layers: no import circles between modules (reads the source, compiles nothing)");
    crate::layers::run(root, &[])?;

    step("the kitchen page's JavaScript: types (tsc, JSDoc) and lint (ESLint)");
    execute(tool(root, "tsc").args(["-p", "tsconfig.json"]))?;
    execute(tool(root, "eslint").args([
        "--max-warnings",
        "0",
        "server/kitchen-display/kitchen.js",
    ]))?;

    step("the operator's alert rules parse and fire when they should (promtool)");
    execute(tool(root, "promtool").args([
        "check",
        "rules",
        "deploy/monitoring/wendan-alerts.yml",
    ]))?;
    execute(tool(root, "promtool").args([
        "test",
        "rules",
        "tests/monitoring/wendan-alerts.test.yml",
    ]))?;

    step("supply chain: crates' licences, versions and sources, advisories (cargo deny)");
    supply_chain::cargo_deny(root)?;
    step("supply chain: the npm tools' advisories (npm audit, reported only)");
    supply_chain::npm_audit(root);

    step("lint (native and wasm)");
    execute(tool(root, "cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    // The crates that run in the browser must also build (and lint) for wasm.
    let wasm_crates = [
        "-p",
        "wendan",
        "-p",
        "wendan-protocol",
        "-p",
        "wendan-outbox",
        "-p",
        "wendan-words",
        "-p",
        "wendan-tablecart",
    ];
    execute(tool(root, "cargo").arg("clippy").args(wasm_crates).args([
        "--all-targets",
        "--target",
        WASM_TARGET,
        "--",
        "-D",
        "warnings",
    ]))?;

    step("native unit and server integration tests (SQLite)");
    // Replica tests need PostgreSQL; they run in the next step.
    execute(tool(root, "cargo").args(["test", "--workspace", "--", "--skip", "replicas_"]))?;

    step("server integration tests again on PostgreSQL");
    let postgres = TestPostgres::start()?;
    let on_postgres = execute(
        tool(root, "cargo")
            .args(["test", "-p", "wendan-server", "--tests"])
            .env("WENDAN_TEST_POSTGRES", postgres.url()),
    );
    postgres.stop()?;
    on_postgres?;

    step("wasm tests in headless Chromium");
    execute(
        tool(root, "cargo")
            .args(["test", "-p", "wendan", "--target", WASM_TARGET])
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )?;

    // CI's disk is small: the debug builds are done with, and the release
    // builds that follow need about as much again (a CI run once ran out).
    if std::env::var_os("WENDAN_CI_SPARE_DISK").is_some() {
        step("freeing the debug builds' disk for the release builds (WENDAN_CI_SPARE_DISK)");
        execute(tool(root, "cargo").args(["clean", "--profile", "dev"]))?;
    }

    step("release build for end-to-end tests");
    let dist = build::widget(root)?;
    let server = build::server(root, build::Widget::Inside)?;

    step("end-to-end tests (Playwright, Debian's Chromium)");
    execute(
        tool(root, "playwright")
            .args(["test", "--config", "tests/e2e/playwright.config.mjs"])
            .env("WENDAN_SERVER_BIN", &server)
            .env("WENDAN_DIST", &dist),
    )?;

    step("chaos: a short seeded run (every fault kind, kill -9)");
    chaos::run_with(root, &dist, &server, &chaos::Options::short())?;

    step("payment chaos: pay-first diners, a misbehaving sandbox, kill -9; ledger vs database");
    chaos::payments::run_with(root, &dist, &server, &chaos::payments::Options::short())?;

    step("a rolling upgrade: two replicas behind nginx replaced one at a time while diners order");
    chaos::run_with(root, &dist, &server, &chaos::Options::rolling_upgrade())?;

    println!("== all tests passed");
    Ok(())
}

fn step(name: &str) {
    println!("\n== {name}");
}
