//! Lighthouse on the diner's first visit (mobile defaults, median of 5), in
//! Debian's Chromium (script: `tests/e2e/bench/lighthouse.mjs`). The goals
//! are issue 19's: performance ≥ 0.95, accessibility and best practices 1.0.

use std::path::Path;

use anyhow::Context;
use serde_json::Value;

use crate::process::tool;

pub fn report(root: &Path, dist: &Path, server: &Path) -> anyhow::Result<()> {
    println!("\n== Lighthouse, the diner's first visit (mobile defaults, median of 5)");
    let output = tool(root, "node")
        .arg("tests/e2e/bench/lighthouse.mjs")
        .env("WENDAN_SERVER_BIN", server)
        .env("WENDAN_DIST", dist)
        .output()
        .context("cannot run node")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        anyhow::bail!(
            "lighthouse bench failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    for line in stdout
        .lines()
        .filter(|line| line.starts_with("lighthouse:"))
    {
        println!("{line}");
    }
    let last: Value = stdout
        .lines()
        .last()
        .context("no result from the lighthouse bench")
        .and_then(|line| serde_json::from_str(line).context("the lighthouse bench's result"))?;
    let number = |name: &str| last[name].as_f64().unwrap_or(f64::NAN);
    println!(
        "performance {:.2} (goal ≥ 0.95), accessibility {:.2} (goal 1.0), best practices {:.2} (goal 1.0)",
        number("performance"),
        number("accessibility"),
        number("best_practices"),
    );
    println!(
        "first contentful paint {:.0} ms, largest contentful paint {:.0} ms, total blocking time {:.0} ms, cumulative layout shift {:.3} (goal ≤ 0.02)",
        number("fcp_ms"),
        number("lcp_ms"),
        number("tbt_ms"),
        number("cls"),
    );
    Ok(())
}
