//! `cargo xtask simulate [--diners N] [--capacity C] [--queue Q] [--seed S]`:
//! the thundering-herd simulation (crate wendan-simulation). Prints the
//! table, writes docs/thundering-herd.svg, and refreshes the table in
//! docs/reliability.md between its `simulate` markers.

use std::path::Path;

use anyhow::{Context, bail};
use wendan_simulation::{
    Config, OutageConfig, Run, Strategy, plot, report, simulate, simulate_all, simulate_outages,
};

const BEGIN: &str = "<!-- simulate:begin -->";
const END: &str = "<!-- simulate:end -->";

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let config = parse(args)?;
    let runs = simulate_all(config);
    let setting = runs.first().map(report::setting).unwrap_or_default();
    let table = report::table(&runs);
    println!("{setting}\n\n{table}");

    let svg_path = root.join("docs/thundering-herd.svg");
    std::fs::write(&svg_path, plot::svg(&runs, plot_until(&runs)))
        .with_context(|| format!("cannot write {}", svg_path.display()))?;
    println!("wrote {}", svg_path.display());

    let doc_path = root.join("docs/reliability.md");
    if let Ok(doc) = std::fs::read_to_string(&doc_path)
        && let (Some(begin), Some(end)) = (doc.find(BEGIN), doc.find(END))
        && begin < end
    {
        let fresh = format!(
            "{}{BEGIN}\n{setting}.\n\n{table}{}",
            &doc[..begin],
            &doc[end..]
        );
        std::fs::write(&doc_path, fresh)
            .with_context(|| format!("cannot write {}", doc_path.display()))?;
        println!("updated the table in {}", doc_path.display());
    }
    outage(root, &config)
}

const OUTAGE_BEGIN: &str = "<!-- outage:begin -->";
const OUTAGE_END: &str = "<!-- outage:end -->";

/// The lying network: a server away with no `online` event, with and
/// without the reachability probe (crate wendan-simulation, `outage`).
fn outage(root: &Path, herd: &Config) -> anyhow::Result<()> {
    let config = OutageConfig {
        capacity: herd.capacity,
        queue_limit: herd.queue_limit,
        seed: herd.seed,
        ..OutageConfig::default()
    };
    let runs = simulate_outages(config);
    let online = simulate(
        Config {
            diners: config.diners,
            ..*herd
        },
        Strategy::FullJitterRetryAfter,
    );
    let setting = report::outage_setting(&config);
    let table = report::outage_table(&runs, &online);
    println!("\n{setting}\n\n{table}");
    let doc_path = root.join("docs/reliability.md");
    if let Ok(doc) = std::fs::read_to_string(&doc_path)
        && let (Some(begin), Some(end)) = (doc.find(OUTAGE_BEGIN), doc.find(OUTAGE_END))
        && begin < end
    {
        let fresh = format!(
            "{}{OUTAGE_BEGIN}\n{setting}.\n\n{table}{}",
            &doc[..begin],
            &doc[end..]
        );
        std::fs::write(&doc_path, fresh)
            .with_context(|| format!("cannot write {}", doc_path.display()))?;
        println!("updated the outage table in {}", doc_path.display());
    }
    Ok(())
}

/// The plot spans the second-slowest run and half as much again: the
/// slowest (no jitter) can take several times longer and would squeeze the
/// others into a corner; its legend entry says when it ends.
fn plot_until(runs: &[Run]) -> u32 {
    let mut ends: Vec<f64> = runs.iter().map(Run::completion_secs).collect();
    ends.sort_by(f64::total_cmp);
    let slowest = ends.last().copied().unwrap_or(1.0);
    let second = ends.iter().rev().nth(1).copied().unwrap_or(slowest);
    (1.5 * second).min(slowest).ceil() as u32 + 1
}

fn parse(args: &[String]) -> anyhow::Result<Config> {
    let mut config = Config::default();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        let number = || -> anyhow::Result<u64> {
            value
                .parse()
                .with_context(|| format!("{flag}: `{value}` is not a number"))
        };
        match flag.as_str() {
            "--diners" => config.diners = u32::try_from(number()?)?,
            "--capacity" => config.capacity = u32::try_from(number()?)?.max(1),
            "--queue" => config.queue_limit = usize::try_from(number()?)?.max(1),
            "--seed" => config.seed = number()?,
            other => bail!(
                "unknown option {other}; usage: cargo xtask simulate [--diners N] [--capacity C] [--queue Q] [--seed S]"
            ),
        }
    }
    Ok(config)
}
