//! Release builds of the widget (Trunk) and the server.

use std::path::{Path, PathBuf};

use crate::process::{execute, tool};

/// `trunk build --release` into `dist/`, with wasm-opt from npm's binaryen.
pub fn widget(root: &Path) -> anyhow::Result<PathBuf> {
    execute(
        tool(root, "trunk")
            .args(["build", "--release"])
            .env("NO_COLOR", "true"),
    )?;
    Ok(root.join("dist"))
}

/// The server binary, built with the native `server` profile (see Cargo.toml).
pub fn server(root: &Path) -> anyhow::Result<PathBuf> {
    execute(tool(root, "cargo").args(["build", "--profile", "server", "-p", "wendan-server"]))?;
    Ok(root.join("target/server/wendan-server"))
}
