//! `cargo xtask package [--no-check] [--revision N]`: the Debian package (cargo-deb) of
//! the server and the built widget, with its systemd units, settings file
//! and maintainer scripts from `deploy/debian/`, then its own check on this
//! machine (`check`): install, order, upgrade, back up, remove, purge.

mod check;
mod launch;
mod systemd;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::process::{capture, tool};
use crate::progress::Step;
use crate::{build, setup};

/// cargo-deb, pinned: a new release may lay out packages differently.
pub const CARGO_DEB_VERSION: &str = "3.8.0";

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let options = Options::parse(args)?;
    let mut timings = check::Timings::default();
    timings.time("tools (build tools, cargo-deb)", || {
        setup::for_build(root)?;
        ensure_cargo_deb(root)
    })?;
    timings.time("release builds of the widget and the server", || {
        build::widget_and_server(root)
    })?;
    let revision = options.revision.to_string();
    let upgrade_revision = (options.revision + 1).to_string();
    // First: cargo-deb deletes every other version of the package in
    // target/debian whatever --output says, so it goes elsewhere, first.
    let upgrade = if options.check {
        Some(
            timings.time("cargo deb, a higher version for the upgrade check", || {
                cargo_deb(root, &upgrade_revision, &root.join("target/package-check"))
            })?,
        )
    } else {
        None
    };
    let first = timings.time("cargo deb", || {
        cargo_deb(root, &revision, &root.join("target/debian"))
    })?;
    println!("built {}", first.display());
    let Some(upgrade) = upgrade else {
        timings.print();
        return Ok(());
    };
    let packages = check::Packages {
        version: format!("{VERSION}-{revision}"),
        first,
        upgrade_version: format!("{VERSION}-{upgrade_revision}"),
        upgrade,
    };
    let checked = check::run(root, &packages, &mut timings);
    timings.print();
    checked?;
    println!("== package check passed: {}", packages.first.display());
    Ok(())
}

struct Options {
    check: bool,
    /// The Debian revision: 1 for a new version, more for a packaging fix.
    revision: u32,
}

impl Options {
    fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut options = Self {
            check: true,
            revision: 1,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--no-check" => options.check = false,
                "--revision" => {
                    options.revision = args
                        .next()
                        .and_then(|n| n.parse().ok())
                        .context("--revision takes a number")?;
                }
                _ => bail!("usage: cargo xtask package [--no-check] [--revision N]"),
            }
        }
        Ok(options)
    }
}

fn ensure_cargo_deb(root: &Path) -> anyhow::Result<()> {
    setup::ensure_cargo_tool(
        root,
        &["cargo", "deb", "--version"],
        "cargo-deb",
        CARGO_DEB_VERSION,
        Step::CargoDeb,
    )
}

/// The product's version: every crate takes the workspace's, xtask too.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Packages what `cargo xtask build` built (the `server` profile, dist/).
fn cargo_deb(root: &Path, revision: &str, output: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(output)?;
    let mut command = tool(root, "cargo");
    command
        .args([
            "deb",
            "-p",
            "wendan-server",
            "--profile",
            "server",
            "--no-build",
        ])
        .args(["--deb-revision", revision, "--output"])
        .arg(output);
    let ran = capture(&mut command).context("cannot run cargo deb")?;
    eprint!("{}", String::from_utf8_lossy(&ran.stderr));
    if !ran.status.success() {
        bail!("cargo deb failed: {}", ran.status);
    }
    let printed = String::from_utf8_lossy(&ran.stdout).trim().to_owned();
    let package = printed
        .lines()
        .last()
        .map(PathBuf::from)
        .context("cargo deb printed no package")?;
    if !package.is_file() {
        bail!("cargo deb said {printed:?}, which is not a file");
    }
    Ok(package)
}
