//! The command line as users expect it: `--version` with the commit, shell completions and man
//! pages generated from the parser's own definitions.

use std::path::Path;
use std::process::{Command, Output};

fn opsbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(args)
        .output()
        .expect("run the opsbook binary")
}

fn stdout(run: &Output) -> String {
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8(run.stdout.clone()).expect("UTF-8 output")
}

/// `git ARGS` in the source tree, when git is there.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let version = stdout(&opsbook(&["--version"]));
    let expected = format!("opsbook {}", env!("CARGO_PKG_VERSION"));
    assert!(version.starts_with(&expected), "{version}");
    let top = git(&["rev-parse", "--show-toplevel"]).map(|t| Path::new(&t).canonicalize());
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).canonicalize().ok();
    if std::env::var_os("OPSBOOK_COMMIT").is_none() && top.and_then(Result::ok) == ours {
        let commit = git(&["rev-parse", "--short=9", "HEAD"]).expect("HEAD's commit");
        assert_eq!(version.trim(), format!("{expected} ({commit})"));
    }
}

#[test]
fn completions_are_generated_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&opsbook(&["completions", shell]));
        for word in ["opsbook", "build", "check", "base-url", "alert-rules"] {
            assert!(script.contains(word), "{shell}: no {word} in\n{script}");
        }
    }
    // The bash script at least parses.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("opsbook.bash");
    std::fs::write(&path, stdout(&opsbook(&["completions", "bash"]))).unwrap();
    let parsed = Command::new("bash").arg("-n").arg(&path).output();
    if let Ok(parsed) = parsed {
        assert!(
            parsed.status.success(),
            "{}",
            String::from_utf8_lossy(&parsed.stderr)
        );
    }
}

#[test]
fn completions_refuse_an_unknown_shell() {
    let run = opsbook(&["completions", "tcsh"]);
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn the_man_page_is_generated_from_the_same_definitions() {
    let page = stdout(&opsbook(&["man"]));
    assert!(page.contains(".TH opsbook 1"), "{page}");
    for command in [
        "build",
        "serve",
        "search",
        "check",
        "new",
        "init",
        "completions",
    ] {
        assert!(page.contains(command), "no {command} in\n{page}");
    }
    assert!(page.contains(env!("CARGO_PKG_VERSION")), "{page}");

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man");
    let run = opsbook(&["man", "--output-dir", dir.to_str().unwrap()]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for name in [
        "opsbook.1",
        "opsbook-build.1",
        "opsbook-serve.1",
        "opsbook-search.1",
        "opsbook-check.1",
        "opsbook-new.1",
        "opsbook-init.1",
        "opsbook-completions.1",
        "opsbook-man.1",
    ] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(text.contains(".TH opsbook"), "{name}: {text}");
    }
    let build = std::fs::read_to_string(dir.join("opsbook-build.1")).unwrap();
    assert!(build.contains("base\\-url"), "{build}");
}
