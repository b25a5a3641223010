//! The widget's first-load transfer: the bytes a diner's phone downloads on
//! a first visit (HTML, JS, wasm, CSS), raw, gzip and brotli (the server
//! sends the precompressed brotli copy to browsers that accept it).

use std::path::Path;

use anyhow::Context;

use crate::build::{brotli_bytes, gzip_bytes};

/// A Leptos 0.8 counter built the same way: the floor we measure against.
const LEPTOS_COUNTER_GZIP_BYTES: u64 = 35 * 1024;

pub fn report(dist: &Path) -> anyhow::Result<()> {
    let index =
        std::fs::read_to_string(dist.join("index.html")).context("dist/index.html is missing")?;
    let mut files = vec!["index.html".to_owned()];
    files.extend(referenced_assets(&index));
    println!("\n== first-load transfer (what a first visit downloads)");
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "file", "raw B", "gzip B", "brotli B"
    );
    let (mut raw_total, mut gzip_total, mut br_total) = (0u64, 0u64, 0u64);
    for file in &files {
        let bytes =
            std::fs::read(dist.join(file)).with_context(|| format!("cannot read dist/{file}"))?;
        let raw = bytes.len() as u64;
        let gzip = gzip_bytes(&bytes)?.len() as u64;
        let br = brotli_bytes(&bytes)?.len() as u64;
        (raw_total, gzip_total, br_total) = (raw_total + raw, gzip_total + gzip, br_total + br);
        println!("{file:<44} {raw:>10} {gzip:>10} {br:>10}");
    }
    println!(
        "{:<44} {raw_total:>10} {gzip_total:>10} {br_total:>10}",
        "total"
    );
    println!(
        "gzip total: {:.1} KB, {:.2}× a Leptos counter (~35 KB gzip); brotli: {:.1} KB (budget 150 KB)",
        gzip_total as f64 / 1024.0,
        gzip_total as f64 / LEPTOS_COUNTER_GZIP_BYTES as f64,
        br_total as f64 / 1024.0
    );
    Ok(())
}

/// JS, wasm and CSS files that index.html names, in order, once each.
fn referenced_assets(html: &str) -> Vec<String> {
    let mut assets: Vec<String> = Vec::new();
    for quoted in html.split(['"', '\'']).skip(1).step_by(2) {
        let path = quoted.trim_start_matches("./").trim_start_matches('/');
        let is_asset = [".js", ".wasm", ".css"]
            .iter()
            .any(|ext| path.ends_with(ext));
        let is_local = !path.contains("://") && !path.contains(' ');
        if is_asset && is_local && !assets.iter().any(|seen| seen == path) {
            assets.push(path.to_owned());
        }
    }
    assets
}

#[cfg(test)]
mod tests {
    use super::referenced_assets;

    #[test]
    fn finds_the_assets_trunk_links() {
        let html = r#"<link rel="modulepreload" href="/wendan-1a.js" crossorigin=anonymous>
            <link rel="preload" href="/wendan-1a_bg.wasm" as="fetch">
            <link rel="stylesheet" href="/widget-2b.css">
            <script type="module">import init from '/wendan-1a.js';init({module_or_path: '/wendan-1a_bg.wasm'});</script>
            <a href="https://example.com/x.js">"#;
        assert_eq!(
            referenced_assets(html),
            vec!["wendan-1a.js", "wendan-1a_bg.wasm", "widget-2b.css"]
        );
    }
}
