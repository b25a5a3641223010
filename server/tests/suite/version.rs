//! `wendan-server --version` names the release and the commit it was built
//! from; a build outside a git checkout of the project says `unknown`.

#[path = "../../build/git_commit.rs"]
mod git_commit;

use std::path::Path;
use std::process::Command;

const SERVER_BIN: &str = env!("CARGO_BIN_EXE_wendan-server");

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .output()
        .expect("run git");
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn version_prints_the_release_and_this_checkouts_commit() {
    let output = Command::new(SERVER_BIN)
        .arg("--version")
        .output()
        .expect("run wendan-server");
    assert!(output.status.success());
    let commit = git_commit::commit_or_unknown(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!(
            "wendan-server {} (commit {commit})",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn a_build_outside_git_says_unknown() {
    let dir = tempfile::tempdir().expect("dir");
    assert_eq!(git_commit::commit_or_unknown(dir.path()), "unknown");
}

/// A new repository with one commit of `file`.
fn repository_with(file: &str) -> tempfile::TempDir {
    let repo = tempfile::tempdir().expect("dir");
    git(repo.path(), &["init", "-q"]);
    std::fs::write(repo.path().join(file), "fn main() {}").expect("write");
    git(repo.path(), &["add", file]);
    git(repo.path(), &["commit", "-q", "-m", "one file"]);
    repo
}

#[test]
fn a_crate_unpacked_inside_another_checkout_does_not_borrow_its_commit() {
    let outer = repository_with("notes.txt");
    let unpacked = outer.path().join("wendan-server-0.1.0");
    std::fs::create_dir(&unpacked).expect("dir");
    std::fs::write(unpacked.join("build.rs"), "fn main() {}").expect("write");
    assert_eq!(git_commit::commit_or_unknown(&unpacked), "unknown");
}

#[test]
fn a_checkout_that_tracks_the_crate_gives_its_head_commit() {
    let repo = repository_with("build.rs");
    let head = git(repo.path(), &["rev-parse", "HEAD"]);
    let commit = git_commit::commit_or_unknown(repo.path());
    assert_eq!(commit.len(), 12);
    assert!(head.starts_with(&commit), "{commit} is {head}");
    // A new commit moves HEAD's branch, so cargo reruns build.rs.
    let branch = git(repo.path(), &["symbolic-ref", "HEAD"]);
    let watched = git_commit::watched_files(repo.path());
    assert!(
        watched.contains(&repo.path().join(".git/HEAD")),
        "{watched:?}"
    );
    assert!(
        watched.contains(&repo.path().join(".git").join(&branch)),
        "{watched:?}"
    );
}
