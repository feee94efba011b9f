//! The default theme and the `init` starter are embedded with include_dir; rebuild when any of
//! their files is added, changed or removed (cargo would otherwise only notice changes to files
//! it already knew).
//!
//! `OPSBOOK_VERSION` is the version `--version` prints: the crate's, and the commit it was built
//! from when that is known — from `OPSBOOK_COMMIT` (set by release builds), else from git. A
//! build without git, or from a crate tarball, prints the version alone: this never fails.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=themes");
    println!("cargo:rerun-if-changed=starter");
    println!("cargo:rerun-if-changed=src/search/runtime/opsbook-search.js");
    println!("cargo:rerun-if-env-changed=OPSBOOK_COMMIT");

    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let commit = std::env::var("OPSBOOK_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(git_commit);
    let shown = match commit {
        Some(commit) => format!("{version} ({})", short(commit.trim())),
        None => version,
    };
    println!("cargo:rustc-env=OPSBOOK_VERSION={shown}");
}

/// Nine characters, as `git rev-parse --short=9` gives them.
fn short(commit: &str) -> &str {
    commit.get(..9).unwrap_or(commit)
}

/// HEAD's commit, when this source tree is the top of a git work tree (a crate unpacked inside
/// some other repository must not take that repository's commit). Asks cargo to run this again
/// when HEAD moves.
fn git_commit() -> Option<String> {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let top = git(&root, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != root.canonicalize().ok()? {
        return None;
    }
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    watched.extend(git(&root, &["symbolic-ref", "-q", "HEAD"]));
    for name in watched {
        // Only files that exist: cargo reruns a build script every time for a missing one.
        if let Some(path) = git(&root, &["rev-parse", "--git-path", &name]) {
            let path = root.join(path);
            if path.is_file() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    git(&root, &["rev-parse", "--short=9", "HEAD"])
}

/// The trimmed output of `git ARGS` in `dir`, or None when git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}
