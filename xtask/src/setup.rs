//! `cargo xtask setup`: installs exactly what is missing, says what it installs
//! and how long that usually takes, and changes nothing that is already
//! right. Safe to run again and again.
//!
//! Two sets: what building the widget and the server needs (`for_build`:
//! `demo`, `build`, `package`), and everything the tests, benchmarks and
//! chaos runs need besides (`run`: `setup`, `test`).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::process::{execute, stdout_of, tool};
use crate::progress::{Step, announce};

pub const TRUNK_VERSION: &str = "0.21.14";
/// `cargo xtask test` checks licences, versions, sources and advisories with it.
pub const CARGO_DENY_VERSION: &str = "0.20.2";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Debian packages a build needs, each with a file that proves it is there:
/// npm brings binaryen's wasm-opt, which Trunk runs.
const BUILD_APT_PACKAGES: &[(&str, &str)] = &[("nodejs", "/usr/bin/node"), ("npm", "/usr/bin/npm")];

/// Debian packages only the tests, benchmarks and chaos runs need.
const TEST_APT_PACKAGES: &[(&str, &str)] = &[
    ("chromium", CHROMIUM),
    ("chromium-driver", CHROMEDRIVER),
    // The server's PostgreSQL backend is tested against a real server.
    ("postgresql", "/usr/bin/pg_ctlcluster"),
    // Load generator for `cargo xtask bench`.
    ("wrk", "/usr/bin/wrk"),
    // The load balancer in `cargo xtask chaos --postgres` and the HTTPS end-to-end test.
    ("nginx", "/usr/sbin/nginx"),
    // The chaos suite's verifier reads the SQLite database with it.
    ("sqlite3", "/usr/bin/sqlite3"),
    // Certificates for the HTTPS end-to-end test and the doctor's tests.
    ("openssl", "/usr/bin/openssl"),
    // promtool checks the alert rules shipped in deploy/monitoring.
    ("prometheus", "/usr/bin/promtool"),
];

/// Everything: the build's tools, then the tests'.
pub fn run(root: &Path) -> anyhow::Result<()> {
    println!("== setup");
    for_build(root)?;
    ensure_apt_packages(TEST_APT_PACKAGES)?;
    ensure_npm_tools(root, NpmTools::All)?;
    ensure_cargo_tool(
        root,
        &["cargo-deny", "--version"],
        "cargo-deny",
        CARGO_DENY_VERSION,
        Step::CargoDeny,
    )?;
    println!("== setup: everything is in place");
    Ok(())
}

/// Only what building the widget and the server needs: the wasm target,
/// Trunk, wasm-bindgen-cli and binaryen's wasm-opt (with Node.js).
pub fn for_build(root: &Path) -> anyhow::Result<()> {
    ensure_wasm_target(root)?;
    ensure_apt_packages(BUILD_APT_PACKAGES)?;
    ensure_npm_tools(root, NpmTools::Build)?;
    ensure_trunk(root)?;
    ensure_wasm_bindgen_cli(root)
}

fn ensure_wasm_target(root: &Path) -> anyhow::Result<()> {
    let installed = stdout_of(tool(root, "rustup").args(["target", "list", "--installed"]))
        .context("rustup is required (this project builds with the rustup toolchain)")?;
    if installed.lines().any(|target| target == WASM_TARGET) {
        return Ok(());
    }
    println!("installing the Rust target {WASM_TARGET}");
    execute(tool(root, "rustup").args(["target", "add", WASM_TARGET]))
}

fn ensure_apt_packages(packages: &[(&str, &str)]) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(package, probe)| {
            // node and npm may come from elsewhere (nvm, a Node.js image).
            let on_path = matches!(*package, "nodejs" | "npm")
                && stdout_of(
                    Command::new(if *package == "nodejs" { "node" } else { "npm" })
                        .arg("--version"),
                )
                .is_some();
            !Path::new(probe).exists() && !on_path
        })
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    announce(
        format!("installing Debian packages: {}", missing.join(" ")),
        Step::AptPackages,
    );
    execute(apt().arg("update").arg("-qq"))?;
    execute(
        apt()
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// `apt-get`, through sudo when not root.
fn apt() -> Command {
    let is_root = stdout_of(Command::new("id").arg("-u")).as_deref() == Some("0");
    if is_root {
        Command::new("apt-get")
    } else {
        let mut command = Command::new("sudo");
        command.arg("apt-get");
        command
    }
}

/// Which of package.json's tools to install.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NpmTools {
    /// `dependencies`: binaryen's wasm-opt.
    Build,
    /// And `devDependencies`: Playwright (never its browsers), axe-core,
    /// TypeScript and ESLint (they check the kitchen page's JavaScript).
    All,
}

/// `npm ci` when node_modules is older than package-lock.json or lacks a
/// tool that is needed; `--omit=dev` for a build, unless the test tools
/// were installed already (`npm ci` starts afresh: it would remove them).
fn ensure_npm_tools(root: &Path, tools: NpmTools) -> anyhow::Result<()> {
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules/.package-lock.json");
    let modified = |path: &Path| path.metadata().and_then(|meta| meta.modified()).ok();
    let fresh = matches!((modified(&installed), modified(&lock)), (Some(done), Some(wanted)) if done >= wanted);
    let has = |names: &[&str]| {
        names.iter().all(|name| {
            root.join("node_modules")
                .join(name)
                .join("package.json")
                .exists()
        })
    };
    const BUILD: &[&str] = &["binaryen"];
    const TESTS: &[&str] = &[
        "@playwright/test",
        "@axe-core/playwright",
        "typescript",
        "eslint",
        "@eslint/js",
    ];
    let needed_present = has(BUILD) && (tools == NpmTools::Build || has(TESTS));
    if fresh && needed_present {
        return Ok(());
    }
    let mut command = tool(root, "npm");
    command
        .args(["ci", "--no-audit", "--no-fund"])
        // Tests drive Debian's Chromium; never download a browser.
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    if tools == NpmTools::Build && !has(TESTS) {
        announce(
            "installing binaryen's wasm-opt with npm ci --omit=dev",
            Step::NpmTools,
        );
        command.arg("--omit=dev");
    } else {
        announce(
            "installing npm tools (binaryen's wasm-opt, Playwright, axe-core, TypeScript, ESLint) with npm ci",
            Step::NpmTools,
        );
    }
    execute(&mut command)
}

fn ensure_trunk(root: &Path) -> anyhow::Result<()> {
    ensure_cargo_tool(
        root,
        &["trunk", "--version"],
        "trunk",
        TRUNK_VERSION,
        Step::Trunk,
    )
}

/// A Rust tool at its pinned version: `cargo install --locked KRATE@VERSION`
/// unless `version_command` already prints `KRATE VERSION`.
pub fn ensure_cargo_tool(
    root: &Path,
    version_command: &[&str],
    krate: &str,
    version: &str,
    step: Step,
) -> anyhow::Result<()> {
    let wanted = format!("{krate} {version}");
    let (program, args) = version_command.split_first().context("no command")?;
    if stdout_of(tool(root, program).args(args)).as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    announce(format!("compiling {wanted} (cargo install)"), step);
    execute(tool(root, "cargo").args(["install", "--locked", &format!("{krate}@{version}")]))
}

/// wasm-bindgen-cli must be the very version of the `wasm-bindgen` crate in
/// Cargo.lock, or the generated JS and the wasm disagree.
fn ensure_wasm_bindgen_cli(root: &Path) -> anyhow::Result<()> {
    let version = locked_version(root, "wasm-bindgen")?;
    let wanted = format!("wasm-bindgen {version}");
    let has = |program: &str| {
        stdout_of(tool(root, program).arg("--version")).as_deref() == Some(wanted.as_str())
    };
    let runner = |program: &str| {
        stdout_of(tool(root, program).arg("--version")).is_some_and(|out| out.ends_with(&version))
    };
    if has("wasm-bindgen") && runner("wasm-bindgen-test-runner") {
        return Ok(());
    }
    announce(
        format!("compiling wasm-bindgen-cli {version} (cargo install)"),
        Step::WasmBindgenCli,
    );
    // Not --locked: the registry lacks one of its locked dependencies.
    execute(tool(root, "cargo").args([
        "install",
        "--force",
        &format!("wasm-bindgen-cli@{version}"),
    ]))
}

/// The version of `package` that Cargo.lock resolved.
pub fn locked_version(root: &Path, package: &str) -> anyhow::Result<String> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).context("cannot read Cargo.lock")?;
    let name_line = format!("name = \"{package}\"");
    let lines: Vec<&str> = lock.lines().collect();
    let found = lines.windows(2).find_map(|pair| {
        let version = pair[1].strip_prefix("version = \"")?.strip_suffix('"')?;
        (pair[0] == name_line).then(|| version.to_owned())
    });
    if let Some(version) = found {
        return Ok(version);
    }
    bail!("Cargo.lock has no package {package}")
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn reads_the_locked_wasm_bindgen_version() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let version = locked_version(&root, "wasm-bindgen").expect("locked");
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
        assert!(
            manifest.contains(&format!("wasm-bindgen = \"={version}\"")),
            "Cargo.toml pins {version}"
        );
    }
}
