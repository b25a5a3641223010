//! Trunk boots the wasm with an inline `<script type="module">` in
//! `index.html`; the widget's Content-Security-Policy allows no inline
//! script. This moves each inline script into its own file, named by its
//! content hash (so caches never serve an old boot for a new wasm), and
//! points a `<script src>` at it. A hash source (`'sha256-…'`) in the policy
//! would also work, but the server would then have to read the built HTML.

use std::path::Path;

use anyhow::bail;

use crate::build::Fnv64;

const OPEN: &str = "<script type=\"module\">";
const CLOSE: &str = "</script>";

/// Rewrites every page in `dist/` (the widget's `index.html`, and any other
/// page a build adds); returns the names of the script files written.
pub fn externalise(dist: &Path) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dist)? {
        let page = entry?.path();
        if page.extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        let html = std::fs::read_to_string(&page)?;
        let (rewritten, scripts) = split(&html)?;
        for (name, body) in scripts {
            std::fs::write(dist.join(&name), body)?;
            names.push(name);
        }
        if rewritten_has_inline(&rewritten) {
            bail!("{} still has an inline script", page.display());
        }
        std::fs::write(&page, rewritten)?;
    }
    Ok(names)
}

/// The page with every inline module script replaced by a reference, and
/// the scripts as (file name, body).
fn split(html: &str) -> anyhow::Result<(String, Vec<(String, String)>)> {
    let mut out = String::with_capacity(html.len());
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len()..];
        let Some(end) = after.find(CLOSE) else {
            bail!("unclosed inline script in index.html");
        };
        let body = after[..end].trim().to_owned();
        let mut hash = Fnv64::default();
        hash.write(body.as_bytes());
        let name = format!("boot-{:016x}.js", hash.0);
        out.push_str(&rest[..start]);
        out.push_str(&format!(
            "<script type=\"module\" src=\"/{name}\"></script>"
        ));
        scripts.push((name, body));
        rest = &after[end + CLOSE.len()..];
    }
    out.push_str(rest);
    Ok((out, scripts))
}

fn rewritten_has_inline(html: &str) -> bool {
    html.contains(OPEN) || html.contains("<script>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_module_scripts_become_files() {
        let html = "<head><link rel=\"modulepreload\" href=\"/w.js\"><script type=\"module\">\nimport init from '/w.js';\nawait init();\n</script></head><body></body>";
        let (page, scripts) = split(html).expect("split");
        assert_eq!(scripts.len(), 1);
        let (name, body) = &scripts[0];
        assert!(name.starts_with("boot-") && name.ends_with(".js"));
        assert_eq!(body, "import init from '/w.js';\nawait init();");
        assert_eq!(
            page,
            format!(
                "<head><link rel=\"modulepreload\" href=\"/w.js\"><script type=\"module\" src=\"/{name}\"></script></head><body></body>"
            )
        );
        assert!(!rewritten_has_inline(&page));
    }

    #[test]
    fn a_page_without_inline_scripts_is_unchanged() {
        let html = "<script type=\"module\" src=\"/x.js\"></script>";
        let (page, scripts) = split(html).expect("split");
        assert_eq!(page, html);
        assert!(scripts.is_empty());
    }
}
