//! `cargo xtask <command>`: the project's commands, in Rust so they run the
//! same on every machine. See README.md.

mod bench;
mod build;
mod chaos;
mod demo;
mod demo_site;
mod embed_size;
mod fuzz;
mod http;
mod inline_scripts;
mod layers;
mod package;
mod postgres;
mod process;
mod progress;
mod schemathesis;
mod setup;
mod simulate;
mod supply_chain;
mod test;

use std::path::PathBuf;

const USAGE: &str =
    "usage: cargo xtask <setup | build | demo | package | test | layers | bench | chaos | simulate | fuzz | schemathesis>

  setup   install what is missing for building and testing (wasm target, Trunk,
          wasm-bindgen-cli, wasm-opt, Chromium, PostgreSQL, nginx, npm test tools,
          cargo-deny)
  build   release builds of the widget (dist/) and the server, with the widget inside
  demo    build the widget and serve the demo restaurant on http://127.0.0.1:8080/
          and its website, embedding the widget, on http://127.0.0.1:8081/
          (installs only what the build needs)
  package [--no-check] [--revision N]
          the Debian package (target/debian/), then its check on this machine:
          install, order, upgrade, back up, remove, purge (needs root)
  test    every test: lint, supply chain, native, wasm in Chromium, server,
          end-to-end
  layers [DIR...]
          fails on an import circle between a crate's modules (the widget,
          protocol, outbox, simulation; the server and xtask are only reported)
  bench [table-cart [--postgres]]
          benchmarks (first-load transfer of the widget, embed.js size, the
          widget in Chromium, order intake, the table's shared cart);
          `table-cart` runs only the shared cart's, for iterating, and
          `--postgres` runs it on PostgreSQL too
  chaos   diners in Chromium order through injected faults and kill -9;
          every order must arrive once (--diners --orders --seed --postgres)
  simulate [--diners N --capacity C --queue Q --seed S]
          thundering-herd simulation of the retry backoff (docs/reliability.md)
  fuzz [--seconds N] [TARGET...]
          cargo-fuzz targets for orders, menus and stored records (600 s each)
  schemathesis [--max-examples N]
          Schemathesis against the server's OpenAPI document";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let command = args.get(1).cloned().unwrap_or_default();
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    match command.as_str() {
        "setup" => setup::run(&root).map(drop),
        "build" => build::all(&root).map(drop),
        "demo" => demo::run(&root),
        "demo-site" => demo_site::serve(&root),
        "package" => package::run(&root, &args[2..]),
        "test" => test::run(&root),
        "layers" => layers::run(&root, &args[2..]),
        "bench" => bench::run(&root, &args[2..]),
        "chaos" => chaos::run(&root),
        "simulate" => simulate::run(&root, &args[2..]),
        "fuzz" => fuzz::run(&root, &args[2..]),
        "schemathesis" => schemathesis::run(&root, &args[2..]),
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
