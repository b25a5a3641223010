//! What Wendan is built from, checked in `cargo xtask test`: `cargo deny`
//! for the crates (licences, banned and duplicate versions, sources: all
//! from Cargo.lock, so they need no network; advisories, which need
//! RustSec's database from GitHub) and `npm audit` for the Node tools,
//! reported only. A check that cannot run here says so; it never passes
//! for one that ran.

use std::path::{Path, PathBuf};

use crate::process::{capture, execute, tool};

/// Fails on a licence outside `deny.toml`'s list, a banned crate, a crate
/// from anywhere but crates.io, or a known advisory; duplicate versions are
/// printed as warnings.
pub fn cargo_deny(root: &Path) -> anyhow::Result<()> {
    // Duplicates are listed without the dependency tree of each (hundreds
    // of lines); `cargo deny --workspace check bans` alone shows them.
    execute(tool(root, "cargo").args([
        "deny",
        "--workspace",
        "check",
        "--hide-inclusion-graph",
        "licenses",
        "bans",
        "sources",
    ]))?;
    advisories(root)
}

/// RustSec's advisory database is a git repository on GitHub. Fetched, it
/// is checked and a known advisory fails the run; unreachable, the copy
/// fetched last time is used if there is one (and said to be), else the
/// check is reported as not done.
fn advisories(root: &Path) -> anyhow::Result<()> {
    let fetch = capture(tool(root, "cargo").args(["deny", "--workspace", "fetch", "db"]));
    if fetch.as_ref().is_some_and(|output| output.status.success()) {
        return execute(tool(root, "cargo").args(["deny", "--workspace", "check", "advisories"]));
    }
    let reason = fetch.map_or_else(
        || "cargo deny did not start".to_owned(),
        |output| last_line(&output.stderr),
    );
    match fetched_before() {
        Some(copy) => {
            println!(
                "advisories: RustSec's database cannot be fetched ({reason}); checking against the copy fetched before, {}",
                copy.display()
            );
            execute(tool(root, "cargo").args([
                "deny",
                "--offline",
                "--workspace",
                "check",
                "advisories",
            ]))
        }
        None => {
            println!(
                "advisories: NOT CHECKED: RustSec's database cannot be fetched from this machine ({reason}) and no copy was fetched before"
            );
            Ok(())
        }
    }
}

/// A copy of the advisory database left by an earlier `cargo deny fetch`.
fn fetched_before() -> Option<PathBuf> {
    let dbs = Path::new(&std::env::var_os("CARGO_HOME").or_else(|| {
        std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo").into_os_string())
    })?)
    .join("advisory-dbs");
    std::fs::read_dir(dbs)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.join(".git").exists())
}

/// Advisories for the npm tools (wasm-opt for the build, Playwright,
/// ESLint and TypeScript for the tests): none of them ships in Wendan, so
/// they are printed for someone to act on, never failing the run.
pub fn npm_audit(root: &Path) {
    let Some(output) = capture(tool(root, "npm").args(["audit", "--no-fund"])) else {
        println!("npm audit: NOT CHECKED: npm did not start");
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.success() {
        println!("npm audit: {}", last_line(&output.stdout));
    } else if stderr.contains("audit endpoint returned an error")
        || stderr.contains("ENOTFOUND")
        || stderr.contains("EAI_AGAIN")
        || stderr.contains("ECONNREFUSED")
    {
        let reason = stderr
            .lines()
            .find(|line| line.contains("warn audit"))
            .map_or_else(|| last_line(&output.stderr), |line| line.trim().to_owned());
        println!("npm audit: NOT CHECKED: the registry's audit service did not answer ({reason})");
    } else {
        print!("{stdout}");
        println!(
            "npm audit: the advisories above are reported, not failing the run (build and test tools only)"
        );
    }
}

/// The last non-empty line of a tool's output, for a one-line reason.
fn last_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("no output")
        .trim()
        .to_owned()
}
