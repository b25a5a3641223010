//! Release builds of the widget (Trunk) and the server.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::process::{execute, tool};

/// Files worth compressing ahead of time.
const COMPRESSIBLE: [&str; 6] = ["html", "js", "wasm", "css", "svg", "json"];

/// `trunk build --release` into `dist/`, with wasm-opt from npm's binaryen,
/// then brotli and gzip copies of every text and wasm file, which the server
/// sends as they are: the best compression, at no cost per request.
pub fn widget(root: &Path) -> anyhow::Result<PathBuf> {
    execute(
        tool(root, "trunk")
            .args(["build", "--release"])
            .env("NO_COLOR", "true"),
    )?;
    let dist = root.join("dist");
    precompress(&dist)?;
    Ok(dist)
}

/// The server binary, built with the native `server` profile (see Cargo.toml).
pub fn server(root: &Path) -> anyhow::Result<PathBuf> {
    execute(tool(root, "cargo").args(["build", "--profile", "server", "-p", "wendan-server"]))?;
    Ok(root.join("target/server/wendan-server"))
}

fn precompress(dir: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            precompress(&path)?;
            continue;
        }
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !COMPRESSIBLE.contains(&extension) {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        std::fs::write(with_suffix(&path, "br"), brotli_bytes(&bytes)?)?;
        std::fs::write(with_suffix(&path, "gz"), gzip_bytes(&bytes)?)?;
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

pub fn brotli_bytes(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

pub fn gzip_bytes(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}
