//! The loader restaurants put on their sites (`embed.js`) must stay small:
//! at most 5 KB gzip. The build fails past the budget; `cargo xtask bench`
//! prints the size.

use std::path::Path;

use anyhow::{Context, bail};

use crate::build::{brotli_bytes, gzip_bytes};

const LOADER: &str = "embed.js";
const BUDGET_GZIP_BYTES: usize = 5 * 1024;

/// Raw and gzip size of the built loader.
fn sizes(dist: &Path) -> anyhow::Result<(usize, usize, usize)> {
    let bytes =
        std::fs::read(dist.join(LOADER)).with_context(|| format!("dist/{LOADER} is missing"))?;
    Ok((
        bytes.len(),
        gzip_bytes(&bytes)?.len(),
        brotli_bytes(&bytes)?.len(),
    ))
}

pub fn check_budget(dist: &Path) -> anyhow::Result<()> {
    let (_, gzip, _) = sizes(dist)?;
    if gzip > BUDGET_GZIP_BYTES {
        bail!("{LOADER} is {gzip} B gzip, over its budget of {BUDGET_GZIP_BYTES} B");
    }
    Ok(())
}

pub fn report(dist: &Path) -> anyhow::Result<()> {
    let (raw, gzip, br) = sizes(dist)?;
    println!("\n== embed loader (what a restaurant's page downloads before the button shows)");
    println!(
        "{LOADER}: {raw} B raw, {gzip} B gzip, {br} B brotli (budget {BUDGET_GZIP_BYTES} B gzip)"
    );
    Ok(())
}
