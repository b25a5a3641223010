//! Release builds of the widget (Trunk) and the server.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use wendan_words::Language;

use crate::process::{execute, tool};
use crate::progress::{Step, announce};

/// `cargo xtask build`: the build's tools, then both release builds.
pub fn all(root: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    crate::setup::for_build(root)?;
    widget_and_server(root)
}

/// The widget's release build, then the server's with the widget inside it.
///
/// The first time, the server's dependencies are built at the same time as
/// the widget (a server without the widget, which compiles everything it
/// needs): two processes keep both cores busy through each other's
/// single-threaded stretches (the widget's one-codegen-unit LTO and
/// wasm-opt, the server's link). Measured on 2 cores: see README, "The
/// first run". Cargo locks the two builds' directories separately
/// (`target/wasm32-unknown-unknown`, `target/server`). Later builds have
/// their dependencies: building that extra server would only compile the
/// server crate twice, so they go one after the other.
pub fn widget_and_server(root: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let first = !root.join("target/server/wendan-server").exists();
    announce(
        "release builds of the widget (Trunk) and the server",
        if first {
            Step::FirstBuilds
        } else {
            Step::Rebuilds
        },
    );
    let started = Instant::now();
    let dist = if first {
        let (dist, apart) = std::thread::scope(|scope| {
            let widget = scope.spawn(|| widget(root));
            let apart = server(root, Widget::Apart);
            let widget = widget
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the widget's build panicked")));
            (widget, apart)
        });
        apart?;
        dist?
    } else {
        widget(root)?
    };
    let server = server(root, Widget::Inside)?;
    println!(
        "built the widget and the server in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok((dist, server))
}

/// Whether the server binary carries the built widget (`embedded-widget`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Widget {
    /// Without it (serves `--static DIR`): buildable before the widget is.
    Apart,
    /// With `dist/` inside, as released.
    Inside,
}

/// Files worth compressing ahead of time.
const COMPRESSIBLE: [&str; 7] = ["html", "js", "wasm", "css", "svg", "json", "webmanifest"];

/// `trunk build --release` into `dist/`, with wasm-opt from npm's binaryen,
/// then brotli and gzip copies of every text and wasm file, which the server
/// sends as they are: the best compression, at no cost per request.
pub fn widget(root: &Path) -> anyhow::Result<PathBuf> {
    execute(
        tool(root, "trunk")
            .args(["build", "--release"])
            .env("NO_COLOR", "true")
            // Beside the server's build: lines, not two progress bars in one.
            .env("CARGO_TERM_PROGRESS_WHEN", "never"),
    )?;
    let dist = root.join("dist");
    crate::inline_scripts::externalise(&dist)?;
    fill_loader_words(&dist)?;
    write_precache(&dist)?;
    precompress(&dist)?;
    crate::embed_size::check_budget(&dist)?;
    Ok(dist)
}

/// Where the loader (`embed.js`) takes every language's words.
const LOADER_WORDS_PLACEHOLDER: &str = "/*__LOADER_WORDS__*/{ fallback: '', languages: [] }";

/// Writes every language's loader words into `embed.js`, from the same
/// dictionaries as the widget's (`wendan-words`): the loader runs on a
/// restaurant's page, before and without the widget, so it carries them.
fn fill_loader_words(dist: &Path) -> anyhow::Result<()> {
    let path = dist.join("embed.js");
    let loader =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    if !loader.contains(LOADER_WORDS_PLACEHOLDER) {
        bail!(
            "{} has no `{LOADER_WORDS_PLACEHOLDER}` for its words",
            path.display()
        );
    }
    let languages: Vec<_> = Language::ALL
        .into_iter()
        .map(|language| {
            serde_json::json!({
                "tag": language.tag(),
                "script": language.likely_script(),
                "words": language.loader(),
            })
        })
        .collect();
    let words = serde_json::json!({
        "fallback": Language::WIDGET_FALLBACK.tag(),
        "languages": languages,
    });
    std::fs::write(
        &path,
        loader.replace(LOADER_WORDS_PLACEHOLDER, &words.to_string()),
    )
    .with_context(|| format!("writing {}", path.display()))
}

/// The service worker's boot file, which carries the build's version.
const SERVICE_WORKER: &str = "service-worker.js";
const VERSION_PLACEHOLDER: &str = "__PRECACHE_VERSION__";

/// Lists the app shell for the service worker (`precache.json`) and stamps
/// the worker with a hash of all of it: any change to any file is a new
/// worker and a new cache; an unchanged build is the same worker.
fn write_precache(dist: &Path) -> anyhow::Result<()> {
    let mut files: Vec<String> = std::fs::read_dir(dist)?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            let derived = name.ends_with(".br") || name.ends_with(".gz");
            !derived && name != SERVICE_WORKER && name != "precache.json"
        })
        .collect();
    files.sort();
    let mut hash = Fnv64::default();
    for name in &files {
        hash.write(name.as_bytes());
        hash.write(&std::fs::read(dist.join(name))?);
    }
    let version = format!("{:016x}", hash.0);
    let list: Vec<String> = files.iter().map(|name| format!("\"/{name}\"")).collect();
    let json = format!(
        "{{\"version\":\"{version}\",\"files\":[{}]}}",
        list.join(",")
    );
    std::fs::write(dist.join("precache.json"), json)?;
    let worker = dist.join(SERVICE_WORKER);
    let boot = std::fs::read_to_string(&worker)?;
    std::fs::write(&worker, boot.replace(VERSION_PLACEHOLDER, &version))?;
    Ok(())
}

/// FNV-1a: a content fingerprint for cache names, not a security hash.
pub struct Fnv64(pub u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    pub fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The server binary, built with the native `server` profile (see
/// Cargo.toml), and beside it the payment sandbox the end-to-end tests and
/// the demo pay in (it shares nearly every dependency, so it costs seconds).
pub fn server(root: &Path, widget: Widget) -> anyhow::Result<PathBuf> {
    let mut command = tool(root, "cargo");
    command
        .args([
            "build",
            "--profile",
            "server",
            "-p",
            "wendan-server",
            "-p",
            "wendan-paysim",
        ])
        .env("CARGO_TERM_PROGRESS_WHEN", "never");
    if widget == Widget::Inside {
        command.args(["--features", "wendan-server/embedded-widget"]);
    }
    execute(&mut command)?;
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
