//! `cargo xtask fuzz [--seconds N] [TARGET...]`: builds the cargo-fuzz
//! targets in fuzz/ and runs them all at once, `nice`d, for N seconds each
//! (default 600), then prints each one's executions, coverage and crashes.
//!
//! libFuzzer's instrumentation needs unstable compiler flags; this machine
//! has one stable toolchain and cannot fetch a nightly, so the build runs
//! with `RUSTC_BOOTSTRAP=1` and `--sanitizer none` (the code under test has
//! no `unsafe`; `--debug-assertions` keeps overflow checks on, which is
//! what finds arithmetic bugs). New inputs go to target/fuzz-corpus/, so
//! the committed seeds in fuzz/corpus/ stay small.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

use crate::process::{execute, stdout_of, tool};

pub const TARGETS: [&str; 5] = ["order", "menu", "stored_record", "query", "notification"];
const FLAGS: [&str; 2] = ["--sanitizer=none", "--debug-assertions"];

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let (seconds, targets) = parse(args)?;
    ensure_cargo_fuzz(root)?;
    let fuzz_dir = root.join("fuzz");
    println!("== fuzz: build");
    execute(cargo_fuzz(root, &fuzz_dir).arg("build").args(FLAGS))?;

    println!(
        "== fuzz: {} for {seconds} s each, at once",
        targets.join(", ")
    );
    let logs = root.join("target/fuzz-logs");
    std::fs::create_dir_all(&logs)?;
    let mut running: Vec<(String, PathBuf, Child)> = Vec::new();
    for target in &targets {
        let corpus = root.join("target/fuzz-corpus").join(target);
        std::fs::create_dir_all(&corpus)?;
        let log = logs.join(format!("{target}.log"));
        let child = Command::new("nice")
            .args(["-n", "19", "cargo", "fuzz", "run"])
            .args(FLAGS)
            .arg(target)
            .arg(&corpus)
            .arg(fuzz_dir.join("corpus").join(target))
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .args(["-print_final_stats=1", "-timeout=10", "-rss_limit_mb=2048"])
            .current_dir(&fuzz_dir)
            .env("RUSTC_BOOTSTRAP", "1")
            .env("PATH", crate::process::tool_path(root))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .with_context(|| format!("cannot start cargo fuzz run {target}"))?;
        running.push((target.clone(), log, child));
    }
    let mut failed = Vec::new();
    println!("| target | executions | coverage (edges) | features | corpus | crashes |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (target, log, mut child) in running {
        let status = child.wait()?;
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let stats = Stats::read(&text);
        let crashes = usize::from(!status.success());
        println!(
            "| {target} | {} | {} | {} | {} | {crashes} |",
            stats.executions, stats.coverage, stats.features, stats.corpus
        );
        if !status.success() {
            failed.push(format!("{target} ({})", log.display()));
        }
    }
    if !failed.is_empty() {
        bail!(
            "fuzzing found a crash in {}; the input is under fuzz/artifacts/",
            failed.join(", ")
        );
    }
    Ok(())
}

/// libFuzzer's closing numbers, read from its log.
#[derive(Debug, Default, PartialEq)]
struct Stats {
    executions: String,
    coverage: String,
    features: String,
    corpus: String,
}

impl Stats {
    fn read(log: &str) -> Self {
        let mut stats = Stats::default();
        for line in log.lines() {
            if let Some(value) = line.strip_prefix("stat::number_of_executed_units:") {
                stats.executions = value.trim().to_owned();
            }
            // `#123456<TAB>DONE   cov: 812 ft: 2301 corp: 310/42Kb ...`
            let mut words = line.split_whitespace();
            let event = words.nth(1).unwrap_or_default();
            if line.starts_with('#') && ["NEW", "REDUCE", "pulse", "DONE"].contains(&event) {
                while let Some(word) = words.next() {
                    let value = words.clone().next().unwrap_or_default().to_owned();
                    match word {
                        "cov:" => stats.coverage = value,
                        "ft:" => stats.features = value,
                        "corp:" => stats.corpus = value,
                        _ => {}
                    }
                }
            }
        }
        stats
    }
}

fn parse(args: &[String]) -> anyhow::Result<(u64, Vec<String>)> {
    let mut seconds = 600;
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--seconds" {
            let value = args.next().context("--seconds needs a value")?;
            seconds = value
                .parse()
                .with_context(|| format!("--seconds: `{value}` is not a number"))?;
        } else if TARGETS.contains(&arg.as_str()) {
            targets.push(arg.clone());
        } else {
            bail!(
                "unknown argument {arg}; usage: cargo xtask fuzz [--seconds N] [{}]...",
                TARGETS.join(" | ")
            );
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|target| (*target).to_owned()).collect();
    }
    Ok((seconds, targets))
}

fn cargo_fuzz(root: &Path, fuzz_dir: &Path) -> Command {
    let mut command = tool(root, "cargo");
    command
        .arg("fuzz")
        .current_dir(fuzz_dir)
        .env("RUSTC_BOOTSTRAP", "1");
    command
}

/// cargo-fuzz from crates.io, only for this command.
fn ensure_cargo_fuzz(root: &Path) -> anyhow::Result<()> {
    if stdout_of(tool(root, "cargo").args(["fuzz", "--version"])).is_some() {
        return Ok(());
    }
    println!("installing cargo-fuzz");
    execute(tool(root, "cargo").args(["install", "cargo-fuzz", "--locked"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzers_closing_numbers() {
        let log = "#2 INITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 30Mb\n\
                   #524288 pulse  cov: 812 ft: 2301 corp: 310/42Kb lim: 4096 exec/s: 873 rss: 80Mb\n\
                   #530000\tDONE   cov: 815 ft: 2310 corp: 312/43Kb lim: 4096 exec/s: 870 rss: 81Mb\n\
                   stat::number_of_executed_units: 530000\n";
        assert_eq!(
            Stats::read(log),
            Stats {
                executions: "530000".into(),
                coverage: "815".into(),
                features: "2310".into(),
                corpus: "312/43Kb".into(),
            }
        );
    }
}
