//! The widget in headless Chromium: tap "Place order" → durable on the
//! phone, and a throttled cold load to interactive
//! (script: `tests/e2e/bench/widget.mjs`).

use std::path::Path;

use anyhow::Context;

use crate::process::tool;

pub fn report(root: &Path, dist: &Path, server: &Path) -> anyhow::Result<()> {
    println!(
        "\n== widget in headless Chromium (200 orders; cold load: 150 ms RTT, 1.6 Mbps, 4x CPU, median of 5)"
    );
    let output = tool(root, "node")
        .arg("tests/e2e/bench/widget.mjs")
        .env("WENDAN_SERVER_BIN", server)
        .env("WENDAN_DIST", dist)
        .output()
        .context("cannot run node")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        anyhow::bail!(
            "widget bench failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let last = stdout
        .lines()
        .last()
        .context("no result from the widget bench")?;
    let field = |name: &str| -> Option<f64> {
        let start = last.find(&format!("\"{name}\":"))? + name.len() + 3;
        let rest = &last[start..];
        let end = rest.find([',', '}'])?;
        rest[..end].parse().ok()
    };
    println!(
        "tap → durable in IndexedDB: p50 {:.1} ms, p95 {:.1} ms over {} orders (target p95 ≤ 20 ms)",
        field("durable_p50_ms").unwrap_or(f64::NAN),
        field("durable_p95_ms").unwrap_or(f64::NAN),
        field("orders").unwrap_or(f64::NAN)
    );
    println!(
        "cold load to interactive, throttled: median {:.0} ms in the page, {:.0} ms as Playwright saw it (target ≤ 2000 ms)",
        field("cold_load_median_ms").unwrap_or(f64::NAN),
        field("cold_load_observed_median_ms").unwrap_or(f64::NAN)
    );
    if let Some(profiles) = serde_json::from_str::<serde_json::Value>(last)
        .ok()
        .and_then(|result| result["profiles"].as_array().cloned())
    {
        for profile in profiles {
            let median = profile["median_ms"].as_f64().unwrap_or(f64::NAN);
            let verdict = |goal: f64| if median <= goal { "met" } else { "not met" };
            let menu_goal = profile["menu_goal_ms"].as_f64().unwrap_or(f64::NAN);
            let interactive_goal = profile["interactive_goal_ms"].as_f64().unwrap_or(f64::NAN);
            println!(
                "  {}: menu text with working Add buttons, median {median:.0} ms (runs {}); menu-text goal ≤ {menu_goal:.0} ms {}, interactive goal ≤ {interactive_goal:.0} ms {}",
                profile["name"].as_str().unwrap_or("?"),
                profile["runs_ms"],
                verdict(menu_goal),
                verdict(interactive_goal),
            );
        }
    }
    println!(
        "repeat visit with the server down (service worker): median {:.0} ms (target ≤ 500 ms)",
        field("offline_repeat_median_ms").unwrap_or(f64::NAN)
    );
    println!(
        "drain 50 orders queued offline: {:.0} ms with the page open (target ≤ 2000 ms), {:.0} ms with no page open",
        field("drain_page_open_ms").unwrap_or(f64::NAN),
        field("drain_no_page_ms").unwrap_or(f64::NAN)
    );
    println!("raw: {last}");
    Ok(())
}
