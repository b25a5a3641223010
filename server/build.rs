//! Stamps the binary with the commit it was built from (`--version`).
//! `WENDAN_GIT_COMMIT` overrides it, for builds from a source archive whose
//! commit is known; outside git it is `unknown`.

#[path = "build/git_commit.rs"]
mod git_commit;

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/git_commit.rs");
    println!("cargo:rerun-if-env-changed=WENDAN_GIT_COMMIT");
    let crate_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = match std::env::var("WENDAN_GIT_COMMIT") {
        Ok(commit) if !commit.trim().is_empty() => commit.trim().to_owned(),
        _ => {
            for file in git_commit::watched_files(&crate_dir) {
                println!("cargo:rerun-if-changed={}", file.display());
            }
            git_commit::commit_or_unknown(&crate_dir)
        }
    };
    println!("cargo:rustc-env=WENDAN_GIT_COMMIT={commit}");
}
