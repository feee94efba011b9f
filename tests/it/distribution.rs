//! What ships opsbook: the release workflow, the container image and the CI files `init` writes
//! are linted (actionlint, hadolint) and checked against each other — the archive names the
//! starter workflow downloads are the ones the release uploads, the image holds what it should.
//!
//! The linters come from PyPI (`.ci/run` installs them); without them the lint tests are skipped
//! with a printed reason, except under CI=true, where that is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml_ng::Value;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn yaml(path: &Path) -> Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).expect("valid YAML")
}

/// Whether `tool` runs; when it does not, says so, and fails under CI.
fn available(tool: &str) -> bool {
    if Command::new(tool).arg("--version").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{tool} is not installed (.ci/run installs it from PyPI)"
    );
    eprintln!("skipped: {tool} is not installed (pip install the version .ci/run names)");
    false
}

/// Runs a linter on `files`; fails with its report.
fn lint(tool: &str, args: &[&str], files: &[PathBuf]) {
    let run = Command::new(tool).args(args).args(files).output().unwrap();
    assert!(
        run.status.success(),
        "{tool} found problems:\n{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn the_release_workflow_and_the_workflow_init_writes_pass_actionlint() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("handbook");
    let init = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["init", root.to_str().unwrap(), "--now", "2026-11-27"])
        .output()
        .unwrap();
    assert!(init.status.success());
    if !available("actionlint") {
        return;
    }
    let files = [
        repo(".github/workflows/release.yml"),
        root.join(".github/workflows/pages.yml"),
    ];
    lint("actionlint", &["-no-color"], &files);
}

#[test]
fn the_dockerfile_passes_hadolint() {
    if available("hadolint") {
        lint("hadolint", &["--no-color"], &[repo("Dockerfile")]);
    }
}

#[test]
fn the_image_runs_the_static_binary_as_a_user_in_handbook() {
    let dockerfile = std::fs::read_to_string(repo("Dockerfile")).unwrap();
    let stages = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .count();
    assert!(stages >= 3, "a build stage, a binary stage, the image");
    let last = dockerfile.rsplit_once("\nFROM ").unwrap().1;
    assert!(last.starts_with("alpine:"), "{last}");
    let instruction = |name: &str| {
        last.lines()
            .filter_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .next_back()
            .unwrap_or_else(|| panic!("no {name} in the final stage"))
    };
    let user = instruction("USER ");
    assert!(!["root", "0", "0:0"].contains(&user), "{user}");
    assert_eq!(instruction("WORKDIR "), "/handbook");
    assert_eq!(instruction("ENTRYPOINT "), "[\"opsbook\"]");
    assert!(last.contains("COPY --from=binary /opsbook /usr/local/bin/opsbook"));
    // The prebuilt binaries are where the release workflow puts them.
    assert!(dockerfile.contains("COPY --chmod=0755 dist/image-${TARGETARCH}/opsbook /opsbook"));
    // The build context keeps dist/ and leaves out build output.
    let ignored = std::fs::read_to_string(repo(".dockerignore")).unwrap();
    assert!(ignored.lines().any(|l| l == "target/"));
    assert!(!ignored.lines().any(|l| l.starts_with("dist")));
}

/// The `with` of the step of `job` that uses `action`.
fn with<'a>(workflow: &'a Value, job: &str, action: &str) -> &'a Value {
    let steps = workflow["jobs"][job]["steps"].as_sequence().expect("steps");
    let step = steps
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(action)))
        .unwrap_or_else(|| panic!("{job} does not use {action}"));
    &step["with"]
}

#[test]
fn the_release_workflow_ships_every_platform_with_its_docs() {
    let workflow = yaml(&repo(".github/workflows/release.yml"));
    let tags = workflow["on"]["push"]["tags"][0].as_str().unwrap();
    assert!(tags.starts_with("v[0-9]"), "{tags}");

    let release = with(
        &workflow,
        "create-release",
        "taiki-e/create-gh-release-action@",
    );
    assert_eq!(release["changelog"].as_str(), Some("CHANGELOG.md"));
    assert_eq!(release["draft"].as_bool(), Some(true));

    let matrix = workflow["jobs"]["binaries"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap();
    let targets: Vec<&str> = matrix.iter().filter_map(|m| m["target"].as_str()).collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc"
        ]
    );
    let upload = with(&workflow, "binaries", "taiki-e/upload-rust-binary-action@");
    assert_eq!(upload["bin"].as_str(), Some("opsbook"));
    // The name the workflow `init` writes downloads: opsbook-v$OPSBOOK_VERSION-$target.tar.gz,
    // holding a folder of the same name.
    assert_eq!(upload["archive"].as_str(), Some("$bin-$tag-$target"));
    assert_eq!(upload["leading-dir"].as_bool(), Some(true));
    let include: Vec<&str> = upload["include"].as_str().unwrap().split(',').collect();
    for file in ["LICENSE-MIT", "LICENSE-APACHE", "README.md", "CHANGELOG.md"] {
        assert!(include.contains(&file), "{include:?}");
        assert!(repo(file).is_file(), "no {file}");
    }
    assert!(include.contains(&"dist/man") && include.contains(&"dist/completions"));
    let docs = workflow["jobs"]["docs"]["steps"][1]["run"]
        .as_str()
        .unwrap();
    assert!(docs.contains("opsbook man --output-dir dist/man"), "{docs}");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        assert!(docs.contains(&format!("opsbook completions {shell} > dist/completions/")));
    }

    let image = with(&workflow, "image", "docker/build-push-action@");
    assert_eq!(image["build-args"].as_str(), Some("BINARY=prebuilt"));
    assert_eq!(image["push"].as_bool(), Some(true));
    let meta = with(&workflow, "image", "docker/metadata-action@");
    assert_eq!(
        meta["images"].as_str(),
        Some("ghcr.io/${{ github.repository }}")
    );
    let image_tags = meta["tags"].as_str().unwrap();
    assert!(image_tags.contains("type=semver,pattern={{version}}"));
    assert!(image_tags.contains("type=raw,value=latest"));

    let publish = workflow["jobs"]["publish"]["steps"][0]["run"]
        .as_str()
        .unwrap();
    assert!(
        publish.contains("sha256sum -- opsbook-* > SHA256SUMS"),
        "{publish}"
    );
    assert!(publish.contains("--draft=false"), "{publish}");
}

#[test]
fn the_changelog_has_a_section_for_what_comes_next() {
    let changelog = std::fs::read_to_string(repo("CHANGELOG.md")).unwrap();
    assert!(changelog.starts_with("# Changelog\n"));
    assert!(changelog.contains("\n## [Unreleased]\n"));
    assert!(changelog.contains("keepachangelog.com"));
}
