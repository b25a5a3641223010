//! `cargo xtask layers`: a crate's modules form layers, with no import
//! circles. Fails on a circle in an enforced crate and spells it out, import
//! by import.
//!
//! It reads the source and compiles nothing, so it runs in a fraction of a
//! second, first in `cargo xtask test`. An import is every `crate::…` path
//! in code (a `use`, a call, a type, also inside macros such as `view!`) and
//! every `super::…` path, resolved to the module it names. A module may use
//! its own folder (its parent modules) freely, and a folder uses what it
//! holds; any other circle is a tangle.
//!
//! Written here because no tool fits: clippy has no lint for module cycles,
//! and `cargo-modules dependencies --acyclic` is a large install that loads
//! the crate and all its dependencies through rust-analyzer to answer what
//! reading a few dozen files answers.
//! The lexing is proc-macro2's (comments, strings, raw strings, nesting);
//! only reading paths out of the tokens is ours.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, bail};
use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Crates whose layering is enforced: a circle fails the step.
const ENFORCED: [&str; 5] = [
    "src",
    "protocol/src",
    "outbox/src",
    "simulation/src",
    "tablecart/src",
];
/// Crates that are only reported on, until issue 15 untangles them.
const REPORTED: [&str; 2] = ["server/src", "xtask/src"];

/// Checks the crates in `dirs`, or else the project's: fails on a circle
/// in an enforced crate, prints those of a reported one.
pub fn run(root: &Path, dirs: &[String]) -> anyhow::Result<()> {
    let named: Vec<&str> = dirs.iter().map(String::as_str).collect();
    let (enforced, reported) = if named.is_empty() {
        (ENFORCED.as_slice(), REPORTED.as_slice())
    } else {
        (named.as_slice(), [].as_slice())
    };
    let mut failed = Vec::new();
    for (dir, enforce) in enforced
        .iter()
        .map(|dir| (dir, true))
        .chain(reported.iter().map(|dir| (dir, false)))
    {
        let tangles = check(root, dir)?;
        let label = if enforce {
            (*dir).to_owned()
        } else {
            format!("{dir} (reported, not enforced)")
        };
        println!("{}", describe(&label, &tangles));
        if enforce && !tangles.is_empty() {
            failed.push(*dir);
        }
    }
    if !failed.is_empty() {
        bail!("import circles in {}", failed.join(", "));
    }
    Ok(())
}

fn check(root: &Path, dir: &str) -> anyhow::Result<Vec<Tangle>> {
    let files = read_crate(&root.join(dir), dir)?;
    Ok(tangles(&files, &imports(&files)?))
}

/// A module by its path from the crate root: `[]` is the root,
/// `["embed", "bridge"]` is `embed::bridge`.
type Module = Vec<String>;

/// One file of a crate, with the module it is.
#[derive(Debug)]
pub struct SourceFile {
    pub module: Module,
    /// As shown in messages, e.g. `src/embed/bridge.rs`.
    pub shown: String,
    pub text: String,
}

/// `from` names something in `to`, as `path` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub from: Module,
    pub to: Module,
    /// The path as written, or `mod name` for a folder holding a module.
    pub path: String,
    pub file: String,
}

/// Modules that reach each other through imports, and shortest circles
/// through them until each member is in one.
#[derive(Debug)]
pub struct Tangle {
    pub modules: BTreeSet<Module>,
    pub circles: Vec<Vec<Import>>,
}

/// Every file of the crate in `dir`. `main.rs` and `bin/` are crates of
/// their own when there is a `lib.rs`.
pub fn read_crate(dir: &Path, shown: &str) -> anyhow::Result<Vec<SourceFile>> {
    let mut relative = Vec::new();
    list_rust_files(dir, Path::new(""), &mut relative)?;
    let has_lib = relative.iter().any(|file| file == Path::new("lib.rs"));
    let mut files = Vec::new();
    for file in relative {
        let name = file.to_string_lossy().replace('\\', "/");
        let own_crate = name == "main.rs" || name.starts_with("bin/");
        if has_lib && own_crate {
            continue;
        }
        let text = std::fs::read_to_string(dir.join(&file))
            .with_context(|| format!("cannot read {shown}/{name}"))?;
        files.push(SourceFile {
            module: module_of(&name),
            shown: format!("{shown}/{name}"),
            text,
        });
    }
    Ok(files)
}

fn list_rust_files(
    dir: &Path,
    below: &Path,
    out: &mut Vec<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let entries =
        std::fs::read_dir(dir.join(below)).with_context(|| format!("cannot list {dir:?}"))?;
    for entry in entries {
        let entry = entry?;
        let relative = below.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            list_rust_files(dir, &relative, out)?;
        } else if relative.extension().is_some_and(|ext| ext == "rs") {
            out.push(relative);
        }
    }
    out.sort();
    Ok(())
}

/// The module a file is: `lib.rs` the root, `a/mod.rs` and `a.rs` are `a`,
/// `a/b.rs` is `a::b`.
pub fn module_of(relative: &str) -> Module {
    let stem = relative.trim_end_matches(".rs");
    let mut parts: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Every import between the crate's files, and each folder's hold on what
/// it contains.
pub fn imports(files: &[SourceFile]) -> anyhow::Result<Vec<Import>> {
    let known: BTreeSet<&Module> = files.iter().map(|file| &file.module).collect();
    let mut found = Vec::new();
    for file in files {
        if let Some((name, parent)) = file.module.split_last()
            && let Some(folder) = files.iter().find(|other| other.module == parent)
        {
            found.push(Import {
                from: parent.to_vec(),
                to: file.module.clone(),
                path: format!("mod {name}"),
                file: folder.shown.clone(),
            });
        }
        let tokens = TokenStream::from_str(&file.text)
            .map_err(|error| anyhow::anyhow!("{}: cannot read: {error}", file.shown))?;
        let mut paths = Vec::new();
        scan(tokens, &file.module, &mut paths);
        for (written, absolute) in paths {
            let Some(to) = owning_module(&absolute, &known) else {
                continue;
            };
            // Its own folder (or itself) is not an import between layers.
            if file.module.starts_with(&to) {
                continue;
            }
            found.push(Import {
                from: file.module.clone(),
                to,
                path: written,
                file: file.shown.clone(),
            });
        }
    }
    Ok(found)
}

/// The deepest file module that `path` lies in (an item, an inline module
/// or the module itself).
fn owning_module(path: &[String], known: &BTreeSet<&Module>) -> Option<Module> {
    (0..=path.len())
        .rev()
        .map(|length| path[..length].to_vec())
        .find(|prefix| known.contains(prefix))
}

/// Collects `(as written, absolute path)` for every `crate::`, `super::`
/// and `self::` path in `tokens`, which lie in module `here`.
fn scan(tokens: TokenStream, here: &[String], out: &mut Vec<(String, Module)>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut at = 0;
    while at < tokens.len() {
        match &tokens[at] {
            TokenTree::Ident(keyword) if keyword == "mod" => {
                // An inline module: `super` inside it means this module.
                if let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(body))) =
                    (tokens.get(at + 1), tokens.get(at + 2))
                    && body.delimiter() == Delimiter::Brace
                {
                    let mut inner = here.to_vec();
                    inner.push(name.to_string());
                    scan(body.stream(), &inner, out);
                    at += 3;
                    continue;
                }
            }
            TokenTree::Ident(start)
                if ["crate", "super", "self"].contains(&start.to_string().as_str())
                    && is_path_separator(&tokens, at + 1) =>
            {
                let mut relative = Vec::new();
                at = read_path(&tokens, at, Vec::new(), &mut relative);
                for segments in relative {
                    if let Some(absolute) = resolve(&segments, here) {
                        out.push((segments.join("::"), absolute));
                    }
                }
                continue;
            }
            TokenTree::Group(group) => scan(group.stream(), here, out),
            _ => {}
        }
        at += 1;
    }
}

fn is_path_separator(tokens: &[TokenTree], at: usize) -> bool {
    matches!(
        (tokens.get(at), tokens.get(at + 1)),
        (Some(TokenTree::Punct(first)), Some(TokenTree::Punct(second)))
            if first.as_char() == ':' && first.spacing() == Spacing::Joint && second.as_char() == ':'
    )
}

/// Reads the path starting at `tokens[at]` after `prefix`, expanding `use`
/// trees (`a::{self, b::C}`) into one path each; returns where it ended.
fn read_path(
    tokens: &[TokenTree],
    mut at: usize,
    mut prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        match tokens.get(at) {
            Some(TokenTree::Ident(segment)) => {
                let segment = segment.to_string();
                if segment != "self" || prefix.is_empty() {
                    prefix.push(segment);
                }
                at += 1;
            }
            Some(TokenTree::Group(tree)) if tree.delimiter() == Delimiter::Brace => {
                let inner: Vec<TokenTree> = tree.stream().into_iter().collect();
                for branch in inner.split(|token| is_punct(token, ',')) {
                    if !branch.is_empty() {
                        read_path(branch, 0, prefix.clone(), out);
                    }
                }
                return at + 1;
            }
            // `*`, `<` of a turbofish, or anything else ends the path.
            _ => break,
        }
        if is_path_separator(tokens, at) {
            at += 2;
        } else {
            break;
        }
    }
    out.push(prefix);
    at
}

fn is_punct(token: &TokenTree, wanted: char) -> bool {
    matches!(token, TokenTree::Punct(punct) if punct.as_char() == wanted)
}

/// The absolute module path of `segments`, written in module `here`.
fn resolve(segments: &[String], here: &[String]) -> Option<Module> {
    let (first, rest) = segments.split_first()?;
    let mut absolute = match first.as_str() {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => here.split_last()?.1.to_vec(),
        _ => return None,
    };
    let mut rest = rest.iter().peekable();
    while rest.peek().is_some_and(|segment| *segment == "super") {
        rest.next();
        absolute.pop()?;
    }
    absolute.extend(rest.cloned());
    Some(absolute)
}

/// The groups of modules that import each other in a circle, each with
/// shortest circles through it until every member is in one.
pub fn tangles(files: &[SourceFile], imports: &[Import]) -> Vec<Tangle> {
    let mut first_import: BTreeMap<(&Module, &Module), &Import> = BTreeMap::new();
    for import in imports {
        first_import
            .entry((&import.from, &import.to))
            .or_insert(import);
    }
    let mut next: BTreeMap<&Module, Vec<&Module>> = BTreeMap::new();
    for (from, to) in first_import.keys() {
        next.entry(from).or_default().push(to);
    }
    let reach: BTreeMap<&Module, BTreeSet<&Module>> = files
        .iter()
        .map(|file| (&file.module, reachable(&file.module, &next)))
        .collect();
    let mut seen: BTreeSet<&Module> = BTreeSet::new();
    let mut found = Vec::new();
    for (module, reached) in &reach {
        if seen.contains(module) || !reached.contains(module) {
            continue;
        }
        let members: BTreeSet<&Module> = reached
            .iter()
            .copied()
            .filter(|other| reach.get(other).is_some_and(|back| back.contains(module)))
            .collect();
        seen.extend(members.iter().copied());
        let mut circles: Vec<Vec<Import>> = Vec::new();
        let mut covered: BTreeSet<&Module> = BTreeSet::new();
        for member in &members {
            if covered.contains(member) {
                continue;
            }
            let circle = shortest_circle(member, &members, &next);
            covered.extend(circle.iter().copied());
            circles.push(
                circle
                    .windows(2)
                    .filter_map(|pair| first_import.get(&(pair[0], pair[1])))
                    .map(|import| (*import).clone())
                    .collect(),
            );
        }
        found.push(Tangle {
            modules: members.into_iter().cloned().collect(),
            circles,
        });
    }
    found
}

fn reachable<'a>(
    start: &'a Module,
    next: &BTreeMap<&Module, Vec<&'a Module>>,
) -> BTreeSet<&'a Module> {
    let mut reached = BTreeSet::new();
    let mut stack: Vec<&Module> = next.get(start).cloned().unwrap_or_default();
    while let Some(module) = stack.pop() {
        if reached.insert(module) {
            stack.extend(next.get(module).cloned().unwrap_or_default());
        }
    }
    reached
}

/// `start`, …, `start`: a breadth-first search within the tangle.
fn shortest_circle<'a>(
    start: &'a Module,
    within: &BTreeSet<&'a Module>,
    next: &BTreeMap<&Module, Vec<&'a Module>>,
) -> Vec<&'a Module> {
    let mut came_from: BTreeMap<&Module, &Module> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(module) = queue.pop_front() {
        for &to in next.get(module).map(Vec::as_slice).unwrap_or_default() {
            if !within.contains(to) || came_from.contains_key(to) {
                continue;
            }
            came_from.insert(to, module);
            if to == start {
                let mut circle = vec![start];
                let mut at = module;
                while at != start {
                    circle.push(at);
                    at = came_from[at];
                }
                circle.push(start);
                circle.reverse();
                return circle;
            }
            queue.push_back(to);
        }
    }
    vec![start]
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

/// The tangles of the crate in `dir`, for people.
pub fn describe(dir: &str, tangles: &[Tangle]) -> String {
    if tangles.is_empty() {
        return format!("{dir}: no import circles");
    }
    let mut text = format!(
        "{dir}: {} tangle(s) of modules importing each other",
        tangles.len()
    );
    for tangle in tangles {
        let names: Vec<String> = tangle.modules.iter().map(name).collect();
        text.push_str(&format!(
            "\n  {} modules reach each other: {}",
            names.len(),
            names.join(", ")
        ));
        for circle in &tangle.circles {
            let mut path: Vec<String> = circle.iter().map(|import| name(&import.from)).collect();
            if let Some(first) = path.first().cloned() {
                path.push(first);
            }
            text.push_str(&format!("\n    {}", path.join(" → ")));
            for import in circle {
                text.push_str(&format!(
                    "\n      {} → {}: {} ({})",
                    name(&import.from),
                    name(&import.to),
                    import.path,
                    import.file
                ));
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crate from `(file below src/, text)` pairs.
    fn tree(files: &[(&str, &str)]) -> Vec<SourceFile> {
        files
            .iter()
            .map(|(file, text)| SourceFile {
                module: module_of(file),
                shown: format!("src/{file}"),
                text: (*text).to_owned(),
            })
            .collect()
    }

    fn circles_of(files: &[(&str, &str)]) -> Vec<Vec<String>> {
        let files = tree(files);
        let imports = imports(&files).expect("reads");
        tangles(&files, &imports)
            .iter()
            .flat_map(|tangle| &tangle.circles)
            .map(|circle| circle.iter().map(|import| name(&import.from)).collect())
            .collect()
    }

    #[test]
    fn files_are_the_modules_they_declare() {
        assert_eq!(module_of("lib.rs"), Module::new());
        assert_eq!(module_of("app.rs"), vec!["app"]);
        assert_eq!(module_of("embed/mod.rs"), vec!["embed"]);
        assert_eq!(module_of("embed/bridge.rs"), vec!["embed", "bridge"]);
    }

    #[test]
    fn a_clean_layered_tree_passes() {
        let circles = circles_of(&[
            (
                "lib.rs",
                "pub mod url; pub mod words; pub mod state; pub mod ui;",
            ),
            ("url.rs", "pub fn query_param() {}"),
            (
                "words.rs",
                "use crate::url; // crate::ui::App in a comment\nconst S: &str = \"crate::ui::x\";",
            ),
            ("state.rs", "use crate::{url::query_param, words::{self}};"),
            (
                "ui/mod.rs",
                "mod page; use page::Page; fn f() { super::state::new() }",
            ),
            (
                "ui/page.rs",
                "use super::super::words; use super::Page; mod tests { use super::*; }",
            ),
        ]);
        assert!(circles.is_empty(), "{circles:?}");
    }

    #[test]
    fn a_circle_is_found_and_spelt_out() {
        let files = tree(&[
            ("lib.rs", "pub mod app; pub mod embed;"),
            (
                "app.rs",
                "pub fn query_param() {} fn start() { crate::embed::start() }",
            ),
            ("embed/mod.rs", "pub mod webview; pub fn start() {}"),
            ("embed/webview.rs", "use crate::app::query_param;"),
        ]);
        let imports = imports(&files).expect("reads");
        let found = tangles(&files, &imports);
        assert_eq!(found.len(), 1);
        let text = describe("src", &found);
        assert!(
            text.contains("app → embed → embed::webview → app"),
            "{text}"
        );
        assert!(
            text.contains("embed::webview → app: crate::app::query_param (src/embed/webview.rs)"),
            "{text}"
        );
        assert!(
            text.contains("embed → embed::webview: mod webview (src/embed/mod.rs)"),
            "{text}"
        );
    }

    #[test]
    fn imports_inside_macros_and_use_trees_count() {
        let circles = circles_of(&[
            ("lib.rs", "mod actions; mod i18n;"),
            ("actions.rs", "use crate::{cart, i18n::{self, Msg}};"),
            (
                "i18n.rs",
                "fn v() { view! { <b on:click=move |_| crate::actions::place()>\"x\"</b> } }",
            ),
        ]);
        assert_eq!(circles, vec![vec!["actions", "i18n"]]);
    }

    #[test]
    fn super_that_leaves_its_folder_counts() {
        let circles = circles_of(&[
            ("lib.rs", "mod a; mod b;"),
            ("a/mod.rs", "mod inner; fn f() { super::b::g() }"),
            ("a/inner.rs", "use super::inner_helper;"),
            ("b/mod.rs", "mod deep;"),
            ("b/deep.rs", "use super::super::a::f;"),
        ]);
        assert_eq!(circles, vec![vec!["a", "b", "b::deep"]]);
    }

    #[test]
    fn a_circle_through_a_folder_that_re_exports_is_found() {
        let circles = circles_of(&[
            ("lib.rs", "mod app; mod components;"),
            ("app.rs", "use crate::components::CartPanel;"),
            (
                "components/mod.rs",
                "mod cart_panel; pub use cart_panel::CartPanel;",
            ),
            ("components/cart_panel.rs", "use crate::app::query_param;"),
        ]);
        assert_eq!(
            circles,
            vec![vec!["app", "components", "components::cart_panel"]]
        );
    }

    #[test]
    fn visibility_and_doc_links_are_not_imports() {
        let circles = circles_of(&[
            ("lib.rs", "mod a; mod b;"),
            (
                "a.rs",
                "pub(crate) fn f() {} pub(super) struct S; use crate::b::G;",
            ),
            (
                "b.rs",
                "/// Called from [`crate::a::f`].\npub(in crate) fn g() {}",
            ),
        ]);
        assert!(circles.is_empty(), "{circles:?}");
    }
}
