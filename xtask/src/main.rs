//! `cargo xtask <command>`: the project's commands, in Rust so they run the
//! same on every machine. See README.md.

mod bench;
mod build;
mod demo;
mod demo_site;
mod embed_size;
mod inline_scripts;
mod postgres;
mod process;
mod setup;
mod test;

use std::path::PathBuf;

const USAGE: &str = "usage: cargo xtask <setup | demo | test | bench>

  setup   install what is missing (wasm target, Trunk, wasm-bindgen-cli,
          Chromium, npm test tools); idempotent
  build   release builds of the widget (dist/) and the server
  demo    build the widget and serve the demo restaurant on http://127.0.0.1:8080/
          and its website, embedding the widget, on http://127.0.0.1:8081/
  test    every test: lint, native, wasm in Chromium, server, end-to-end
  bench   benchmarks (first-load transfer of the widget, embed.js size)";

fn main() -> anyhow::Result<()> {
    let command = std::env::args().nth(1).unwrap_or_default();
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    match command.as_str() {
        "setup" => setup::run(&root).map(drop),
        "build" => build::all(&root).map(drop),
        "demo" => demo::run(&root),
        "demo-site" => demo_site::serve(&root),
        "test" => test::run(&root),
        "bench" => bench::run(&root),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

fn workspace_root() -> PathBuf {
    let xtask_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().map(PathBuf::from).unwrap_or(xtask_dir)
}
