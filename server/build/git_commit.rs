//! The git commit a build comes from, for `wendan-server --version`. Shared
//! by `build.rs` and `tests/suite/version.rs`, so the test runs this very code.
//!
//! Hand-written rather than `vergen`: it is one `git rev-parse`, and the
//! crate would bring its own dependency tree into every server build.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a build outside a git checkout of this crate reports.
pub const UNKNOWN: &str = "unknown";

/// The commit of the checkout that holds the crate in `crate_dir` (12 hex
/// digits), or `unknown`: no git, no repository, or a repository that does
/// not track this crate (a source tarball unpacked inside another checkout
/// must not borrow that checkout's commit).
pub fn commit_or_unknown(crate_dir: &Path) -> String {
    commit_of(crate_dir).unwrap_or_else(|| UNKNOWN.to_owned())
}

fn commit_of(crate_dir: &Path) -> Option<String> {
    git(crate_dir, &["ls-files", "--error-unmatch", "build.rs"])?;
    let hash = git(crate_dir, &["rev-parse", "--short=12", "HEAD"])?;
    let is_hash = !hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit());
    is_hash.then_some(hash)
}

/// The files whose change means a new commit: HEAD, the branch it points
/// to, and the packed refs (where git moves branches).
pub fn watched_files(crate_dir: &Path) -> Vec<PathBuf> {
    let mut refs = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(branch) = git(crate_dir, &["symbolic-ref", "-q", "HEAD"]) {
        refs.push(branch);
    }
    refs.iter()
        .filter_map(|name| git(crate_dir, &["rev-parse", "--git-path", name]))
        .map(|path| crate_dir.join(path))
        // Cargo reruns a build script on every build for a path that does
        // not exist (a repository may have no packed refs yet).
        .filter(|path| path.exists())
        .collect()
}

/// Trimmed stdout of a git command that succeeded.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
