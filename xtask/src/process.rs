//! Running tools: every command is printed before it runs, and a failure stops the task.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

use anyhow::{Context, bail};

/// A command with the project's tools first on PATH: `node_modules/.bin`
/// (wasm-opt from npm's binaryen, Playwright) and cargo's bin directory.
pub fn tool(root: &Path, program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    command.current_dir(root).env("PATH", tool_path(root));
    command
}

pub fn tool_path(root: &Path) -> std::ffi::OsString {
    let mut paths = vec![root.join("node_modules/.bin")];
    if let Some(home) = std::env::var_os("HOME") {
        paths.push(Path::new(&home).join(".cargo/bin"));
    }
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

/// Runs `command`, echoing it; fails unless it exits 0.
pub fn execute(command: &mut Command) -> anyhow::Result<()> {
    println!("$ {}", describe(command));
    let status = command
        .status()
        .with_context(|| format!("cannot start {}", describe(command)))?;
    if !status.success() {
        bail!("{} failed: {status}", describe(command));
    }
    Ok(())
}

/// Runs `command` quietly and returns its output, if it could start at all.
pub fn capture(command: &mut Command) -> Option<Output> {
    command.output().ok()
}

/// Trimmed stdout of a command that succeeded.
pub fn stdout_of(command: &mut Command) -> Option<String> {
    capture(command)
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
